// The "Your data" page: while a copy is being prepared, ask the server for its progress every
// few seconds, move the <progress> bar and its text, and reload the page once the copy is
// ready (or has failed) so the download link appears. An external file, not an inline
// script, so the page works under a Content-Security-Policy without 'unsafe-inline'. Without
// JavaScript the page still works: it has a "Refresh this page" link.
(function () {
  "use strict";
  var bar = document.querySelector("progress[data-sar-status-url]");
  if (!bar || !window.fetch) {
    return;
  }
  var url = bar.getAttribute("data-sar-status-url");
  var text = document.getElementById("sar-status-text");
  var intervalMs = 3000;
  var maxPolls = 200; // ten minutes; after that the Refresh link is the way
  var polls = 0;

  function poll() {
    polls += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        bar.value = data.progress;
        bar.textContent = data.progress + "%";
        // Only touch the live region when the words change, so screen readers are not
        // interrupted every few seconds with the same sentence.
        if (text && text.textContent !== data.message) {
          text.textContent = data.message;
        }
        if (data.finished) {
          window.location.reload();
        } else if (polls < maxPolls) {
          window.setTimeout(poll, intervalMs);
        }
      })
      .catch(function () {
        // Signed out, or offline: stop polling; the Refresh link still works.
      });
  }

  window.setTimeout(poll, intervalMs);
})();
