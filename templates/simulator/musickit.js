/* Dropday platform simulator: a stand-in for MusicKit JS v3, just enough for sign-in.
 *
 * MusicKit.configure({developerToken, app}) -> Promise<instance>
 * MusicKit.getInstance().authorize()       -> Promise<Music User Token> (rejects on Deny)
 *
 * authorize() opens the simulator's consent window, which posts the token back.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script.src.replace(/\/musickit\/v3\/musickit\.js(\?.*)?$/, "");
  var simulatorOrigin = new URL(base).origin;
  var instance = null;

  function Instance(config) {
    this.developerToken = config.developerToken;
    this.app = config.app || {};
    this.musicUserToken = "";
    this.isAuthorized = false;
  }

  Instance.prototype.authorize = function () {
    var self = this;
    if (self.isAuthorized) {
      return Promise.resolve(self.musicUserToken);
    }
    return new Promise(function (resolve, reject) {
      var query = new URLSearchParams({
        developer_token: self.developerToken || "",
        app: self.app.name || "",
        origin: window.location.origin
      });
      var popup = window.open(base + "/authorize?" + query, "musickit-authorize",
                              "width=480,height=640");
      if (!popup) {
        reject(new Error("AUTHORIZATION_ERROR: the consent window was blocked"));
        return;
      }
      function onMessage(event) {
        var data = event.data || {};
        if (event.origin !== simulatorOrigin || data.musickit !== "authorize") {
          return;
        }
        window.removeEventListener("message", onMessage);
        if (data.musicUserToken) {
          self.musicUserToken = data.musicUserToken;
          self.isAuthorized = true;
          resolve(data.musicUserToken);
        } else {
          reject(new Error("AUTHORIZATION_ERROR: " + (data.error || "access denied")));
        }
      }
      window.addEventListener("message", onMessage);
    });
  };

  Instance.prototype.unauthorize = function () {
    this.musicUserToken = "";
    this.isAuthorized = false;
    return Promise.resolve();
  };

  window.MusicKit = {
    configure: function (config) {
      instance = new Instance(config || {});
      return Promise.resolve(instance);
    },
    getInstance: function () {
      return instance;
    }
  };
  document.dispatchEvent(new Event("musickitloaded"));
})();
