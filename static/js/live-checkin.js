/* The live check-in view (templates/programmes/session_live.html): htmx polls its list. A poll
   that was redirected elsewhere (signed out: the staff idle timeout, an expired session) would
   swap a sign-in page into the list; load the whole page instead, which goes through sign-in
   and comes back here. */
document.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.detail.target;
  if (!target || target.id !== "live-list") {
    return;
  }
  // The path only: a sign-in page's address names the list's in its ?next=.
  var path = new URL(event.detail.xhr.responseURL || "", window.location.href).pathname;
  if (!/\/live\/checked-in\/$/.test(path)) {
    event.detail.shouldSwap = false;
    window.location.reload();
  }
});
