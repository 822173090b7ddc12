/* A bulk issue's progress page (templates/certificates/admin/batch.html): htmx polls its
   progress. A poll that was redirected elsewhere (signed out by the staff idle timeout) would
   swap a sign-in page into the page; load the whole page instead, which goes through sign-in
   and comes back here. */
document.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.detail.target;
  if (!target || target.id !== "batch-status") {
    return;
  }
  var path = new URL(event.detail.xhr.responseURL || "", window.location.href).pathname;
  if (!/\/admin\/certificates\/batches\/\d+\/progress\/$/.test(path)) {
    event.detail.shouldSwap = false;
    window.location.reload();
  }
});
