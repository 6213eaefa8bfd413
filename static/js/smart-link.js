// The Smart Link is one cached page for everyone; on this device, put the fan's own
// platform (the `dropday_platform` cookie set when they signed up) first and mark it.
(function () {
  "use strict";
  var match = document.cookie.match(/(?:^|;\s*)dropday_platform=([a-z_]+)/);
  var list = document.getElementById("smart-link-platforms");
  if (!match || !list) return;
  var items = list.querySelectorAll("li[data-platform]");
  for (var i = 0; i < items.length; i++) {
    if (items[i].getAttribute("data-platform") === match[1]) {
      items[i].classList.add("mine");
      items[i].querySelector(".yours").hidden = false;
      list.insertBefore(items[i], list.firstChild);
      return;
    }
  }
})();
