/* Dropday fan page: local release time, countdown, in-app browsers, connecting a platform,
 * push opt-in. Everything works without it except connecting in the page (MusicKit) and
 * push; the email signup is a plain form that htmx merely swaps in place. htmx is not
 * part of the first view: it loads when the fan first reaches for the page. */
(function () {
  "use strict";

  var HTMX_URL = document.currentScript && document.currentScript.getAttribute("data-htmx");

  function loadHtmx() {
    ["pointerover", "touchstart", "focusin", "keydown"].forEach(function (type) {
      document.removeEventListener(type, loadHtmx, true);
    });
    if (window.htmx || !HTMX_URL) return;
    var script = document.createElement("script");
    script.src = HTMX_URL;
    document.head.appendChild(script);
  }

  // Instagram, Facebook/Messenger, TikTok: keep in step with app/fan/in_app.py.
  var IN_APP = /Instagram|FBAN|FBAV|FB_IAB|FBIOS|FB4A|Messenger|TikTok|musical_ly|Bytedance|\btrill_/i;

  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  function showLocalTime() {
    all("time[data-local-time]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when)) return;
      // The page's language, the fan's own clock and zone.
      el.textContent = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        weekday: "long", day: "numeric", month: "long", year: "numeric",
        hour: "2-digit", minute: "2-digit", timeZoneName: "short"
      }).format(when);
    });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function startCountdown() {
    var el = document.querySelector("[data-countdown]");
    if (!el) return;
    var target = new Date(el.getAttribute("data-countdown")).getTime();
    function tick() {
      var left = Math.max(0, Math.floor((target - Date.now()) / 1000));
      if (left === 0) {
        el.textContent = el.getAttribute("data-out-now");
        return;
      }
      var days = Math.floor(left / 86400);
      var rest = left % 86400;
      var clock = pad(Math.floor(rest / 3600)) + ":" + pad(Math.floor(rest % 3600 / 60)) + ":" +
        pad(rest % 60);
      // "3 days 04:05:06" in the page's language: Intl names the unit, the page the phrase.
      if (days) {
        clock = new Intl.NumberFormat(document.documentElement.lang || undefined, {
          style: "unit", unit: "day", unitDisplay: "long"
        }).format(days) + " " + clock;
      }
      el.textContent = el.getAttribute("data-to-go").replace("{}", clock);
      setTimeout(tick, 1000 - (Date.now() % 1000));
    }
    tick();
  }

  function openInBrowserUrl(url) {
    var ua = navigator.userAgent;
    var u = new URL(url);
    if (/Android/.test(ua)) {
      return "intent://" + u.host + u.pathname + u.search + "#Intent;scheme=" +
        u.protocol.replace(":", "") + ";end";
    }
    if (/iPhone|iPad|iPod/.test(ua) && u.protocol === "https:") return "x-safari-" + url;
    return url;
  }

  function adaptToInAppBrowser(root) {
    if (!IN_APP.test(navigator.userAgent)) return;
    var note = (root || document).querySelector("#in-app-note");
    if (!note) return;
    note.hidden = false;
    var link = note.querySelector("#open-in-browser");
    if (link) link.href = openInBrowserUrl(link.href);
    all("[data-connect]", root).forEach(function (el) { el.hidden = true; });
    all(".email-instead", root).forEach(function (el) { el.hidden = false; });
  }

  function postTo(url, fields) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = url;
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      if (window.MusicKit) return resolve();
      var script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = function () { resolve(); };
      script.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(script);
    });
  }

  // Apple's MusicKit JS authorizes in the page and hands back a Music User Token, which
  // goes to the same callback an OAuth platform redirects to.
  function connectInPage(start) {
    var browser = start.browser;
    return loadScript(browser.script_url).then(function () {
      return window.MusicKit.configure({
        developerToken: browser.developer_token,
        app: { name: browser.app_name, build: "1" },
        storefrontId: browser.storefront
      });
    }).then(function (music) {
      return music.authorize();
    }).then(function (token) {
      postTo(start.callback, { state: start.state, music_user_token: token });
    }, function () {
      postTo(start.callback, { state: start.state, error: "access_denied" });
    });
  }

  function onConnectClick(event) {
    var link = event.target.closest && event.target.closest("a[data-connect]");
    if (!link || event.defaultPrevented || event.button > 0 || event.metaKey || event.ctrlKey) {
      return;
    }
    event.preventDefault();
    if (link.getAttribute("aria-busy") === "true") return;
    link.setAttribute("aria-busy", "true");
    fetch(link.href, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok || !/json/.test(response.headers.get("Content-Type") || "")) {
          throw new Error("no JSON");
        }
        return response.json();
      })
      .then(function (start) {
        if (start.redirect_url) {
          window.location.assign(start.redirect_url);
        } else {
          return connectInPage(start);
        }
      })
      .catch(function () { window.location.assign(link.href); })
      .then(function () { link.removeAttribute("aria-busy"); });
  }

  // -- push opt-in ------------------------------------------------------------------------

  function keyBytes(base64url) {
    var text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") +
                    "===".slice((base64url.length + 3) % 4));
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  }

  function setupPush(root) {
    var box = (root || document).querySelector("[data-push]");
    if (!box || box.getAttribute("data-ready")) return;
    if (!("serviceWorker" in navigator) || !("PushManager" in window) ||
        !("Notification" in window)) {
      return; // the email (or the save) still happens; nothing to offer here
    }
    box.setAttribute("data-ready", "1");
    box.hidden = false;
    var button = box.querySelector("[data-push-toggle]");
    var status = box.querySelector("[data-push-status]");

    function send(method, body) {
      body.token = box.getAttribute("data-push-token");
      return fetch(box.getAttribute("data-push-url"), {
        method: method,
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify(body)
      }).then(function (response) {
        if (!response.ok) throw new Error(box.getAttribute("data-failed"));
      });
    }

    function show(on, message) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = box.getAttribute(on ? "data-label-off" : "data-label-on");
      status.textContent = message || "";
    }

    function turnOn() {
      return Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") throw new Error(box.getAttribute("data-blocked"));
        return navigator.serviceWorker.register(box.getAttribute("data-sw-url"), { scope: "/" });
      }).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(box.getAttribute("data-vapid-key"))
        });
      }).then(function (subscription) {
        return send("POST", { subscription: subscription.toJSON() });
      }).then(function () {
        show(true, box.getAttribute("data-done"));
      });
    }

    function turnOff() {
      return navigator.serviceWorker.ready.then(function (registration) {
        return registration.pushManager.getSubscription();
      }).then(function (subscription) {
        return subscription && subscription.unsubscribe();
      }).then(function () {
        return send("DELETE", {});
      }).then(function () {
        show(false, box.getAttribute("data-off"));
      });
    }

    button.addEventListener("click", function () {
      var on = button.getAttribute("aria-pressed") === "true";
      button.disabled = true;
      // Our own words only: a browser's error (AbortError, a push service's refusal) means
      // nothing to a fan.
      var ours = [box.getAttribute("data-blocked"), box.getAttribute("data-failed")];
      (on ? turnOff() : turnOn()).catch(function (error) {
        status.textContent = ours.indexOf(error.message) >= 0 ? error.message : ours[1];
      }).then(function () { button.disabled = false; });
    });
  }

  function enhance(root) {
    adaptToInAppBrowser(root);
    setupPush(root);
  }

  document.addEventListener("htmx:afterSwap", function (event) { enhance(event.target); });
  document.addEventListener("htmx:responseError", function () {
    var panel = document.getElementById("signup-panel");
    if (panel) {
      var note = document.createElement("p");
      note.className = "notice";
      note.setAttribute("role", "alert");
      note.textContent = panel.getAttribute("data-error");
      panel.prepend(note);
    }
  });
  ["pointerover", "touchstart", "focusin", "keydown"].forEach(function (type) {
    document.addEventListener(type, loadHtmx, true);
  });
  document.addEventListener("click", onConnectClick);
  showLocalTime();
  startCountdown();
  enhance(document);
})();
