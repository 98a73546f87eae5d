/* The staff console's one small script (no build step, no dependencies): progressive enhancement only.
 *
 * Assessment round grid (/console/rounds/{id}): while staff type points, each station's total and every
 * station's rank are recomputed here from the row values, and a cell outside 0..maximum (or with more
 * than one decimal) is marked. The server checks every cell again on save; its totals and ranks are
 * the authoritative ones. Without this script the page works the same, minus the live figures.
 */
(function () {
  "use strict";

  var grid = document.getElementById("round-grid");
  var source = document.getElementById("grid-data");
  if (!grid || !source) {
    return;
  }
  var data = JSON.parse(source.textContent || "{}");
  if (!data.points) {
    return;
  }

  /* Points as staff type them: "7.5", "7，5", "8分"; null when not a valid value for this row. */
  function parsePoints(text, maximum) {
    var cleaned = text.trim().replace("，", ".").replace("。", ".").replace("分", "").trim();
    if (!/^\d+(\.\d)?$/.test(cleaned)) {
      return null;
    }
    var value = parseFloat(cleaned);
    return value <= maximum ? value : null;
  }

  function format(value) {
    var rounded = Math.round(value * 100) / 100;
    return String(rounded);
  }

  /* The manual points a row of the page adds up to now (an empty cell keeps its stored points). */
  function manualOf(row) {
    var sum = 0;
    var inputs = row.querySelectorAll("input[data-max]");
    for (var i = 0; i < inputs.length; i += 1) {
      var input = inputs[i];
      var text = input.value.trim() === "" ? input.getAttribute("data-saved") : input.value;
      if (text === "" || text === null) {
        input.removeAttribute("aria-invalid");
        continue;
      }
      var value = parsePoints(text, parseFloat(input.getAttribute("data-max")));
      if (value === null) {
        input.setAttribute("aria-invalid", "true");
        var saved = input.getAttribute("data-saved");
        value = saved ? parseFloat(saved) : 0;
      } else {
        input.removeAttribute("aria-invalid");
      }
      sum += value;
    }
    return sum;
  }

  /* Competition ranking (1, 2, 2, 4) of the stations that take part, as the round's rules rank them. */
  function ranks(entries) {
    var ranked = entries.filter(function (e) { return e.ranked && e.total !== null; });
    ranked.sort(function (a, b) { return b.total - a.total; });
    var found = {};
    for (var n = 0; n < ranked.length; n += 1) {
      if (n > 0 && ranked[n - 1].total === ranked[n].total) {
        found[ranked[n].id] = found[ranked[n - 1].id];
      } else {
        found[ranked[n].id] = n + 1;
      }
    }
    return found;
  }

  function recompute() {
    var rows = {};
    var trs = grid.querySelectorAll("tr[data-station]");
    for (var i = 0; i < trs.length; i += 1) {
      rows[trs[i].getAttribute("data-station")] = trs[i];
    }
    var entries = data.entries.map(function (entry) {
      var row = rows[String(entry.id)];
      var manual = row ? manualOf(row) : entry.manual;
      var total = entry.auto === null ? null : Math.round((entry.auto + manual) * 100) / 100;
      return { id: entry.id, ranked: entry.ranked, total: total };
    });
    var rank = ranks(entries);
    entries.forEach(function (entry) {
      var row = rows[String(entry.id)];
      if (!row) {
        return;
      }
      var totalCell = row.querySelector("td.total");
      var rankCell = row.querySelector("td.rank");
      if (totalCell) {
        var text = entry.total === null ? "—" : format(entry.total);
        if (totalCell.textContent !== text) {
          totalCell.textContent = text;
          row.classList.add("changed");
        }
      }
      if (rankCell) {
        rankCell.textContent = rank[entry.id] ? String(rank[entry.id]) : "—";
      }
    });
  }

  grid.addEventListener("input", recompute);
  recompute();
}());

/* Broadcast composer (/console/broadcasts): the recipient count (each person once) follows the audience
 * fields as staff change them, from GET /console/broadcasts/count. Without this script the page's
 * "Count recipients" button asks the server for the same figure.
 */
(function () {
  "use strict";

  var form = document.getElementById("compose");
  var shown = document.getElementById("recipient-count");
  var described = document.getElementById("recipient-audience");
  if (!form || !shown || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var timer = null;
  var asked = 0;

  function audienceParams() {
    var params = new URLSearchParams();
    var fields = form.querySelectorAll("input[type=checkbox], select");
    for (var i = 0; i < fields.length; i += 1) {
      var field = fields[i];
      if ((field.type === "checkbox" && field.checked) || (field.tagName === "SELECT" && field.value)) {
        params.append(field.name, field.value);
      }
    }
    return params;
  }

  function update() {
    asked += 1;
    var mine = asked;
    fetch(form.getAttribute("data-count-url") + "?" + audienceParams().toString(),
          { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (data) {
        if (!data || mine !== asked) {
          return;
        }
        shown.textContent = shown.getAttribute("data-label").replace("{count}", String(data.count));
        if (described) {
          described.textContent = data.audience;
        }
      })
      .catch(function () { /* the count button still works */ });
  }

  form.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (name === "text" || name === "when") {
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  });
}());
