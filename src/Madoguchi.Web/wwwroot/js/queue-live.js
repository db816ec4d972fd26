// Public queue pages (office page, ticket page): follow the office's SSE stream and update the
// figures in place. Without JavaScript the page works as rendered, with its refresh link.
(function () {
  "use strict";
  var root = document.querySelector(".queue-live[data-stream]");
  if (!root || !window.EventSource) return;
  var waitTemplate = root.getAttribute("data-wait-template") || "{low}〜{high}";
  var number = root.getAttribute("data-number");
  var position = root.querySelector("[data-live=position]");

  function set(el, text) { if (el && el.textContent !== String(text)) el.textContent = String(text); }
  function wait(range) {
    return range.low === range.high ? waitTemplate.replace(/\{low\}.*\{high\}/, String(range.low)) : waitTemplate.replace("{low}", range.low).replace("{high}", range.high);
  }
  function time(iso) {
    var d = new Date(iso);
    return d.toLocaleTimeString("ja-JP", { timeZone: "Asia/Tokyo", hour: "numeric", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  }
  // The same estimate as the server (NumberSearch.WaitFor): proportional to the people ahead.
  function waitFor(service, ahead) {
    var w = service.waiting, r = service.estimatedWaitMinutes;
    if (w <= 0 || ahead >= w) return r;
    var low = Math.floor(r.low * ahead / w), high = Math.ceil(r.high * ahead / w);
    return { low: low, high: Math.max(low, high) };
  }
  function stateOf(snapshot, n) {
    for (var i = 0; i < snapshot.sections.length; i++) {
      var services = snapshot.sections[i].services;
      for (var j = 0; j < services.length; j++) {
        var k = services[j].queue.indexOf(n);
        if (k >= 0) return { state: "Waiting", ahead: k, wait: waitFor(services[j], k) };
      }
    }
    for (var c = 0; c < snapshot.recentCalls.length; c++) {
      if (snapshot.recentCalls[c].number === n) return { state: "Called" };
    }
    return { state: "NotWaiting" };
  }

  function apply(snapshot) {
    var stale = root.querySelector("[data-live=stale]");
    if (stale) stale.hidden = !snapshot.stale;
    var updated = root.querySelector("[data-live=updated]");
    if (updated) { updated.setAttribute("datetime", snapshot.updatedAt); set(updated, time(snapshot.updatedAt)); }
    var structureChanged = false;
    snapshot.sections.forEach(function (section) {
      var total = root.querySelector('[data-section="' + section.id + '"][data-live=waiting]');
      if (total) set(total, section.waiting);
      section.services.forEach(function (service) {
        var row = root.querySelector('[data-service="' + service.id + '"]');
        if (!row) { if (root.querySelector("[data-service]")) structureChanged = true; return; }
        set(row.querySelector("[data-live=waiting]"), service.waiting);
        var serving = row.querySelector("[data-live=serving]");
        set(serving, service.nowServing === null ? serving.getAttribute("data-none") : service.nowServing);
        set(row.querySelector("[data-live=wait]"), wait(service.estimatedWaitMinutes));
      });
    });
    if (number && position) {
      var now = stateOf(snapshot, parseInt(number, 10));
      // A change of state (called, finished) changes the wording: the server renders it in the reader's language.
      if (now.state !== position.getAttribute("data-state")) { structureChanged = true; }
      else if (now.state === "Waiting") {
        set(position.querySelector("[data-live=ahead]"), now.ahead);
        set(position.querySelector("[data-live=position-wait]"), wait(now.wait));
      }
    }
    if (structureChanged) window.location.reload();
  }

  var note = root.querySelector("[data-live=note]");
  var source = new EventSource(root.getAttribute("data-stream"));
  source.addEventListener("snapshot", function (e) {
    if (note) note.hidden = false;
    apply(JSON.parse(e.data));
  });
  source.addEventListener("error", function () { if (note) note.hidden = true; });
})();
