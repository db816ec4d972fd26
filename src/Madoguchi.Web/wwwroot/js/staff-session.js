// Staff pages: warn before the idle limit signs the member of staff out, and let them stay signed in
// with one button (WCAG 2.2.1 Timing Adjustable). The session lives on the server, so the page asks
// it how long is left (GET /staff/session does not count as activity) instead of trusting its own
// timer: another tab may have kept the session alive meanwhile.
(function () {
  "use strict";
  var dialog = document.getElementById("session-timeout");
  if (!dialog || typeof dialog.showModal !== "function" || typeof fetch !== "function") return;
  var idle = parseInt(dialog.getAttribute("data-idle-seconds"), 10) || 1800;
  // The configured notice (two minutes by default), at most half the limit.
  var notice = Math.min(parseInt(dialog.getAttribute("data-notice-seconds"), 10) || 120, Math.floor(idle / 2));
  var ask = dialog.querySelector("[data-ask]");
  var ended = dialog.querySelector("[data-ended]");
  var remaining = dialog.querySelector("[data-remaining]");
  var form = ask.querySelector("form");
  var timer = 0, ticker = 0, deadline = 0;

  function later(seconds) {
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(1, seconds) * 1000);
  }

  function words(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m > 0 ? m + "分" + (s > 0 ? s + "秒" : "") : s + "秒";
  }

  function render() {
    remaining.textContent = words(Math.max(0, Math.ceil((deadline - Date.now()) / 1000)));
  }

  function warn(seconds) {
    deadline = Date.now() + seconds * 1000;
    ended.hidden = true;
    ask.hidden = false;
    render();
    if (!dialog.open) dialog.showModal();
    clearInterval(ticker);
    ticker = setInterval(function () {
      if (Date.now() >= deadline) { clearInterval(ticker); check(); } else render();
    }, 1000);
  }

  function signedOut() {
    clearInterval(ticker);
    clearTimeout(timer);
    ask.hidden = true;
    ended.hidden = false;
    if (!dialog.open) dialog.showModal();
  }

  function check() {
    fetch("/staff/session", { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (!s.signedIn) { signedOut(); return; }
        var left = Math.min(s.idleSeconds, s.absoluteSeconds);
        if (left > notice) {
          clearInterval(ticker);
          if (dialog.open) dialog.close();
          later(left - notice);
        } else {
          warn(left);
        }
      })
      // Offline for a moment: ask again shortly rather than guess.
      .catch(function () { later(15); });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 204) {
          clearInterval(ticker);
          dialog.close();
          later(idle - notice);
        } else {
          check();
        }
      })
      .catch(function () { check(); });
  });

  // Escape must not dismiss the warning silently while the clock runs on: treat it as "stay signed in".
  dialog.addEventListener("cancel", function (e) {
    if (!ask.hidden) { e.preventDefault(); form.requestSubmit(); }
  });

  later(idle - notice);
})();
