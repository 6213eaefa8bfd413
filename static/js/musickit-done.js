// The simulated MusicKit consent window hands its answer to the page that opened it.
(function () {
  "use strict";
  var script = document.currentScript;
  var message = JSON.parse(script.dataset.message);
  if (window.opener) {
    window.opener.postMessage(message, script.dataset.origin);
    window.close();
  }
})();
