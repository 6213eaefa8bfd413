/* Dropday: count this page view without cookies, and carry where the fan came from.
 *
 * The page is the same for everyone (a cache may serve it), so the server never sees its
 * query. This script sends one beacon to data-beacon once the page is really shown (not
 * while a browser prerenders it), with the page's channel code (?c=), UTM parameters and
 * the referring site's origin; the same `from` value rides along on the signup form,
 * the email-form links, the connect buttons and the Smart Link's buttons, so a signup or
 * a click is counted for the channel its fan arrived by. Nothing is stored in the browser.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var beacon = script && script.getAttribute("data-beacon");
  var query = new URLSearchParams(window.location.search);
  var from = new URLSearchParams();
  ["c", "utm_source", "utm_medium", "utm_campaign"].forEach(function (name) {
    var value = query.get(name);
    if (value) from.set(name, value.slice(0, 64));
  });
  try {
    var referrer = document.referrer && new URL(document.referrer);
    if (referrer && referrer.origin !== window.location.origin) from.set("r", referrer.origin);
  } catch (error) { /* an unreadable referrer counts as none */ }
  var fromText = from.toString();

  function send() {
    if (!beacon) return;
    var body = new URLSearchParams(fromText);
    if (navigator.sendBeacon && navigator.sendBeacon(beacon, body)) return;
    window.fetch(beacon, { method: "POST", body: body, keepalive: true, credentials: "omit" })
      .catch(function () { /* a lost count is no error for the fan */ });
  }

  function withFrom(href) {
    var url = new URL(href, window.location.href);
    url.searchParams.set("from", fromText);
    return url.pathname + url.search;
  }

  function mark(root) {
    if (!fromText || !root.querySelectorAll) return;
    root.querySelectorAll("a[data-connect], a[href*='/go/'], a[href*='/email/']").forEach(function (link) {
      link.href = withFrom(link.getAttribute("href"));
    });
  }

  // Capture phase: runs before htmx or the browser reads the form's fields.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!fromText || !form || (form.method || "").toLowerCase() !== "post") return;
    var field = form.querySelector("input[name='from']");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "from";
      form.appendChild(field);
    }
    field.value = fromText;
  }, true);
  document.addEventListener("htmx:afterSwap", function (event) { mark(event.target); });
  mark(document);

  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
