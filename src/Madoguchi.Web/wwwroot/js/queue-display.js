// Lobby display: follow the office's SSE stream; for each new call show it large, play a chime
// and speak the announcement (Japanese reading, then English) with the browser's speech synthesis.
(function () {
  "use strict";
  var root = document.querySelector(".queue-display__main[data-stream]");
  if (!root || !window.EventSource) return;
  var latest = root.querySelector("[data-live=latest]");
  var recent = root.querySelector("[data-live=recent]");
  var stale = root.querySelector("[data-live=stale]");
  var updated = root.querySelector("[data-live=updated]");
  var soundButton = root.querySelector("[data-live=sound]");
  var seen = null;
  var audio = null;
  var queue = Promise.resolve();

  // Browsers allow sound only after a user gesture: staff press the button once when opening the display.
  if (soundButton) {
    soundButton.hidden = false;
    soundButton.addEventListener("click", function () {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx) audio = new Ctx();
      soundButton.disabled = true;
      soundButton.setAttribute("aria-pressed", "true");
      chime();
    });
  }

  function chime() {
    if (!audio) return Promise.resolve();
    var t = audio.currentTime;
    [659.25, 523.25].forEach(function (freq, i) {
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.type = "sine"; osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t + i * 0.45);
      gain.gain.exponentialRampToValueAtTime(0.4, t + i * 0.45 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.45 + 0.9);
      osc.connect(gain).connect(audio.destination);
      osc.start(t + i * 0.45); osc.stop(t + i * 0.45 + 1);
    });
    return new Promise(function (resolve) { setTimeout(resolve, 1400); });
  }

  function speak(text, lang) {
    return new Promise(function (resolve) {
      if (!audio || !window.speechSynthesis) { resolve(); return; }
      var u = new SpeechSynthesisUtterance(text);
      u.lang = lang; u.rate = 0.9;
      u.onend = resolve; u.onerror = resolve;
      window.speechSynthesis.speak(u);
    });
  }

  function announcement(call) {
    return fetch("/api/v1/announcements?number=" + encodeURIComponent(call.number) + "&counter=" + encodeURIComponent(call.counter))
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  }

  function counterText(counter) {
    var m = /^\s*(\d+)\s*(番)?\s*(窓口)?\s*$/.exec(counter);
    return m ? m[1] + "番窓口" : counter;
  }

  function para(cls, text, lang) {
    var p = document.createElement("p");
    p.className = cls; p.textContent = text;
    if (lang) p.lang = lang;
    return p;
  }

  function show(call, a) {
    latest.replaceChildren(para("queue-display__number", String(call.number)),
      para("queue-display__text", a ? a.text : call.number + "番の方、" + counterText(call.counter) + "へどうぞ"),
      para("queue-display__text", a ? a.english : "Number " + call.number + ", counter " + call.counter, "en"));
  }

  function renderRecent(calls) {
    var items = calls.slice(1, 8).map(function (c) {
      var li = document.createElement("li");
      var n = document.createElement("span");
      n.className = "queue-display__recent-number"; n.textContent = String(c.number);
      var k = document.createElement("span"); k.textContent = counterText(c.counter);
      li.append(n, " ", k);
      return li;
    });
    recent.replaceChildren.apply(recent, items);
  }

  function key(c) { return c.number + "|" + c.counter + "|" + c.calledAt; }

  var source = new EventSource(root.getAttribute("data-stream"));
  source.addEventListener("snapshot", function (e) {
    var snapshot = JSON.parse(e.data);
    if (stale) stale.hidden = !snapshot.stale;
    if (updated) {
      updated.setAttribute("datetime", snapshot.updatedAt);
      updated.textContent = new Date(snapshot.updatedAt).toLocaleTimeString("ja-JP", { timeZone: "Asia/Tokyo", hourCycle: "h23" });
    }
    var calls = snapshot.recentCalls.slice().sort(function (a, b) { return a.calledAt < b.calledAt ? 1 : -1; });
    renderRecent(calls);
    // The first snapshot (page load, reconnection) is history, not news: nothing is announced for it.
    var fresh = seen === null ? [] : calls.filter(function (c) { return !seen[key(c)]; }).reverse();
    seen = {};
    calls.forEach(function (c) { seen[key(c)] = true; });
    fresh.forEach(function (call) {
      queue = queue.then(function () { return announcement(call); }).then(function (a) {
        show(call, a);
        if (!a) return null;
        return chime().then(function () { return speak(a.reading, "ja-JP"); }).then(function () { return speak(a.english, "en-US"); });
      });
    });
  });
})();
