// The rollout progress page: press "Continue" (move the next batch) until the run is
// finished, updating the bar and the counts; the page reloads at the end to list failures.
// Without JavaScript the button does the same one batch at a time.
(function () {
  "use strict";
  var box = document.getElementById("rollout-run");
  var form = box && box.querySelector("form[data-role=continue]");
  if (!form) return;
  var total = Number(box.dataset.total) || 0;
  function show(counts) {
    ["done", "failed", "skipped", "pending"].forEach(function (name) {
      var cell = box.querySelector("[data-count=" + name + "]");
      if (cell) cell.textContent = counts[name];
    });
    var percent = total ? Math.round((100 * (total - counts.pending)) / total) : 100;
    box.querySelector("[data-role=bar]").style.width = percent + "%";
    box.querySelector("[role=progressbar]").setAttribute("aria-valuenow", percent);
  }
  function next() {
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (answer) {
        show(answer.counts);
        if (answer.finished) window.location.reload();
        else next();
      })
      .catch(function () {
        form.querySelector("button").disabled = false; // the button still works
      });
  }
  form.querySelector("button").disabled = true;
  next();
})();
