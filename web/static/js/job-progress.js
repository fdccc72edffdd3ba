/* Live progress of a background job (see web/job_progress.py for the contract).
   Loaded with `defer`, so it runs once the status box exists. The box carries
   data-status-url; while the job runs the script polls it, updates the bar, the
   count, the elapsed time and the estimate, opens the result page by itself when
   the job is done, and says clearly when it failed (then opens the page that shows
   why, with its retry button). */
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status-url]");
  if (!box) { return; }

  function part(name) { return box.querySelector("[data-job=" + name + "]"); }
  function duration(seconds) {
    var s = Math.max(0, Math.round(seconds));
    if (s < 60) { return s + " s"; }
    var m = Math.floor(s / 60);
    if (m < 60) { return m + " min " + (s % 60) + " s"; }
    return Math.floor(m / 60) + " h " + (m % 60) + " min";
  }
  var STATE_WORDS = {queued: "Waiting to start", running: "Running", done: "Finished",
                     failed: "Failed", cancelled: "Cancelled"};

  function show(s) {
    box.dataset.jobState = s.state;
    part("state").textContent = STATE_WORDS[s.state] || s.state;
    var bar = part("bar");
    bar.max = 1;
    bar.value = s.progress;
    bar.textContent = Math.round(100 * s.progress) + " %";
    part("count").textContent = s.unit === "percent"
      ? Math.round(100 * s.progress) + " %"
      : s.done + " / " + s.total + " " + (box.dataset.jobUnit || "solves");
    part("elapsed").textContent = duration(s.elapsed_seconds) + " elapsed";
    var estimate = part("estimate");
    if (s.finished || s.estimate_seconds === null) {
      estimate.textContent = s.finished ? "" : "estimating the time left…";
    } else {
      estimate.textContent = (s.estimate_is_bound ? "at most " : "about ")
        + duration(s.estimate_seconds) + " left";
    }
    var error = part("error");
    if (s.failed) {
      error.hidden = false;
      error.textContent = "The job failed: " + (s.error || "no reason was recorded") + ".";
    }
  }

  function poll() {
    fetch(box.dataset.jobStatusUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (s) {
        part("offline").hidden = true;
        show(s);
        if (!s.finished) { window.setTimeout(poll, 1000); return; }
        // Done: open the result. Failed or cancelled: open the page that says why
        // (and offers a retry); the box already says it in the meantime.
        part("state").textContent = s.state === "done"
          ? "Finished: opening the result…" : part("state").textContent;
        window.location.assign(s.result_url);
      })
      .catch(function () {
        part("offline").hidden = false;
        window.setTimeout(poll, 4000);
      });
  }
  if (box.dataset.jobFinished !== "true") { poll(); }
})();
