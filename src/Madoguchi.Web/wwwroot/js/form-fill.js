// Enhancements of a resident's form page (FormFill). The page works without them: the server saves
// on every button, fills nothing in and checks everything. With JavaScript:
//  - the page's answers are saved to the server draft a moment after typing stops (same URL,
//    action=autosave, antiforgery token from the form), with the result in a live region;
//  - what was typed since the last save is saved before the resident leaves the page by a link
//    (the language switch, 戻る, the header) and, as far as the browser allows, when the tab is
//    hidden or closed: the audit found that forms lost unsaved input;
//  - a question that follows an answer on the same page (drawn hidden by the server) appears or
//    goes as that answer changes;
//  - a 郵便番号 fills its paired address field from /api/v1/postcodes/{code} when that field is
//    empty or still holds what was filled in, and says so;
//  - "次へ進む" first runs the cheap checks the server runs (required, フリガナ, 郵便番号, 日付) and
//    shows their errors in the server's error-summary markup. Anything these checks do not
//    recognise is left to the server, which stays the one that decides.
(function () {
  "use strict";
  var form = document.querySelector("form[data-fill-form]");
  if (!form || !window.fetch || !window.FormData || !String.prototype.normalize) return;
  var text = form.dataset;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return Object.prototype.hasOwnProperty.call(values, k) ? values[k] : m; });
  }
  function each(list, f) { Array.prototype.forEach.call(list, f); }
  function blank(v) { return v.normalize("NFKC").replace(/\s/g, "") === ""; }

  // ---- Autosave -------------------------------------------------------------------------------
  var status = document.getElementById("autosave-status");
  var timer = null;
  var inFlight = null;
  // The last save sent, settled either way: a link waits for it so the next page shows what was typed.
  var saving = null;
  // Typed since the last save was sent.
  var dirty = false;
  // A button posted the page: the server saves it, nothing is left to flush.
  var leaving = false;

  function answers() {
    var data = new FormData(form);
    // A chosen file is attached by its own button, never in the background.
    each(form.querySelectorAll("input[type=file]"), function (input) { data.delete(input.name); });
    data.set("action", "autosave");
    return data;
  }

  function autosave(keepalive) {
    if (timer) { clearTimeout(timer); timer = null; }
    dirty = false;
    var controller = window.AbortController && !keepalive ? new AbortController() : null;
    inFlight = controller;
    var sent = fetch(window.location.pathname, {
      method: "POST", body: answers(), credentials: "same-origin", redirect: "error", keepalive: !!keepalive,
      headers: { Accept: "application/json" }, signal: controller ? controller.signal : undefined,
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (saved) {
      if (status) status.textContent = fill(text.msgSaved, { time: saved.time });
    }).catch(function (e) {
      if (e.name !== "AbortError" && status) status.textContent = text.msgSaveFailed;
    }).then(function () {
      if (inFlight === controller) inFlight = null;
      if (saving === sent) saving = null;
    });
    saving = sent;
    return sent;
  }

  function schedule() {
    dirty = true;
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { autosave(false); }, 2000);
  }

  form.addEventListener("input", function (e) { if (e.target.type !== "file") schedule(); });
  form.addEventListener("change", function (e) { if (e.target.type !== "file") schedule(); });

  // A link out of the page (language switch, 戻る, header) first saves what was typed since the last
  // save, and waits for it (at most a few seconds), so that the page reached shows the answers.
  document.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("a[href]") : null;
    if (!link || e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    if (link.target && link.target !== "_self" || link.hasAttribute("download") || link.origin !== window.location.origin) return;
    if (link.pathname === window.location.pathname && link.search === window.location.search && link.hash) return;
    if (!dirty && !saving) return;
    e.preventDefault();
    var go = function () { window.location.href = link.href; };
    var pending = dirty ? autosave(false) : saving;
    Promise.race([pending, new Promise(function (resolve) { setTimeout(resolve, 3000); })]).then(go, go);
  });

  // Leaving otherwise (the browser's back button, closing the tab, switching app on a phone): the
  // browser sends the save after the page is gone (keepalive); nothing waits for it.
  function flush() { if (dirty && !leaving) autosave(true); }
  window.addEventListener("pagehide", flush);
  // Back on this page from the browser's cache after a send: typing here is saved again.
  window.addEventListener("pageshow", function (e) { if (e.persisted) leaving = false; });
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") flush(); });

  // ---- Questions that follow an answer on the same page ---------------------------------------
  // The server draws them either way (hidden while their condition does not hold); here they appear
  // or go as the resident answers, instead of after the page is sent. The server still decides.
  function valuesOf(name) {
    var values = [];
    each(form.querySelectorAll("[name]"), function (el) {
      if (el.name !== name) return;
      if (el.type === "checkbox" || el.type === "radio") { if (el.checked) values.push(el.value); }
      else if (!blank(el.value)) values.push(el.value.trim());
    });
    return values;
  }
  function follow() {
    each(form.querySelectorAll(".fill-conditional[data-show-field]"), function (block) {
      var values = valuesOf(block.getAttribute("data-show-field"));
      var wanted = JSON.parse(block.getAttribute("data-show-values") || "[]");
      var holds = block.getAttribute("data-show-op") === "filled"
        ? values.length > 0
        : values.some(function (v) { return wanted.indexOf(v) >= 0; });
      block.hidden = !holds;
    });
  }
  form.addEventListener("change", follow);
  form.addEventListener("input", follow);

  // ---- Postcode autofill ----------------------------------------------------------------------
  function postcodeDigits(v) {
    return v.normalize("NFKC").replace(/^\s*〒/, "").replace(/[\s\-‐‑‒–—―−ー]/g, "");
  }

  // The part all the postcode's addresses share (one town, or only the city when it covers several).
  function sharedAddress(addresses) {
    var first = addresses[0];
    var same = function (k) { return addresses.every(function (a) { return a[k] === first[k]; }); };
    var result = first.prefecture + first.city;
    if (same("city") && same("town")) result += first.town;
    return result;
  }

  each(form.querySelectorAll("input[data-address-for]"), function (postcode) {
    var address = document.getElementById(postcode.getAttribute("data-address-for"));
    var announce = document.getElementById(postcode.id + "-announce");
    if (!address) return;
    var filledIn = null;
    var looked = null;
    function lookup() {
      var digits = postcodeDigits(postcode.value);
      if (!/^[0-9]{7}$/.test(digits) || digits === looked) return;
      looked = digits;
      fetch("/api/v1/postcodes/" + digits, { credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 404) return null;
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        }).then(function (found) {
          if (postcodeDigits(postcode.value) !== digits) return;
          if (!found || !found.addresses.length) {
            if (announce) announce.textContent = text.msgPostcodeNotfound;
            return;
          }
          // Never overwrite what the resident typed: only an empty field or our own earlier fill.
          if (address.value !== "" && address.value !== filledIn) return;
          filledIn = sharedAddress(found.addresses);
          address.value = filledIn;
          if (announce) announce.textContent = fill(text.msgPostcodeFilled, { address: filledIn });
          schedule();
        }).catch(function () { looked = null; });
    }
    postcode.addEventListener("input", lookup);
    postcode.addEventListener("change", lookup);
  });

  // ---- Client-side checks ---------------------------------------------------------------------
  function describe(c) { return "「" + c + "」"; }

  function kanaProblem(v) {
    var s = v.normalize("NFKC").replace(/[\u3041-\u3096\u309D\u309E]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) + 0x60); });
    for (var i = 0; i < s.length; i++) {
      var c = s.charAt(i);
      var ok = (c >= "\u30A1" && c <= "\u30FA") || "ー・ヽヾ \u3000".indexOf(c) >= 0;
      if (!ok) {
        var code = s.codePointAt(i);
        return fill(text.msgKana, { char: describe(String.fromCodePoint(code)) });
      }
    }
    return null;
  }

  function postcodeProblem(v) {
    var digits = postcodeDigits(v);
    for (var i = 0; i < digits.length; i++) {
      var c = digits.charAt(i);
      if (c < "0" || c > "9") return fill(text.msgPostcodeDigits, { char: describe(String.fromCodePoint(digits.codePointAt(i))) });
    }
    return digits.length === 7 ? null : fill(text.msgPostcodeLength, { n: String(digits.length) });
  }

  var eraStart = { "明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019, M: 1868, T: 1912, S: 1926, H: 1989, R: 2019 };

  function dateProblem(v) {
    var s = v.normalize("NFKC").replace(/\s/g, "");
    var y, m, d;
    var w = /^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?$/.exec(s);
    var e = /^(明治|大正|昭和|平成|令和|[MTSHRmtshr])([0-9]{1,3}|元)[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?$/.exec(s);
    if (w) {
      y = +w[1]; m = +w[2]; d = +w[3];
    } else if (e) {
      var n = e[2] === "元" ? 1 : +e[2];
      // An impossible era year or a day outside its era: the server explains those.
      if (n < 1 || n > 200) return null;
      y = eraStart[e[1].length === 1 ? e[1].toUpperCase() : e[1]] + n - 1; m = +e[3]; d = +e[4];
    } else {
      return text.msgDate;
    }
    if (m < 1 || m > 12) return text.msgMonth;
    var days = new Date(Date.UTC(y, m, 0)).getUTCDate();
    if (y >= 1 && (d < 1 || d > days)) return fill(text.msgDay, { n: String(days) });
    return null;
  }

  function filled(el) {
    if (el.type === "checkbox" || el.type === "radio") return el.checked;
    if (el.type === "file" || el.type === "hidden" || el.type === "submit") return false;
    return !blank(el.value);
  }

  // A group item left wholly empty does not count (the server drops it), so its fields are not required.
  function inEmptyItem(el) {
    var item = el.closest(".fill-group__item");
    if (!item) return false;
    if (item.querySelector("[data-testid=attached]")) return false;
    return !Array.prototype.some.call(item.querySelectorAll("input, select, textarea"), filled);
  }

  function collect() {
    var errors = [];
    function add(target, control, message) { errors.push({ target: target, control: control, message: message }); }
    each(form.querySelectorAll("fieldset[data-field]"), function (set) {
      if (inEmptyItem(set) || set.closest("[hidden]")) return;
      var inputs = set.querySelectorAll("input, select");
      var kind = set.getAttribute("data-field");
      if (kind === "name") {
        var any = Array.prototype.some.call(inputs, filled);
        if (!any) {
          if (set.hasAttribute("data-required")) add(set, set, text.msgRequired);
          return;
        }
        each(inputs, function (input) {
          if (!filled(input)) add(input, set, text.msgRequired);
          else if (input.getAttribute("data-check") === "kana") {
            var k = kanaProblem(input.value);
            if (k) add(input, set, k);
          }
        });
      } else if (set.hasAttribute("data-required") && !Array.prototype.some.call(inputs, filled)) {
        add(set, set, kind === "consent" ? text.msgConsent : text.msgChoose);
      }
    });
    each(form.querySelectorAll("input[data-required], input[data-check], select[data-required], textarea[data-required]"), function (el) {
      if (el.closest("fieldset[data-field]") || inEmptyItem(el) || el.closest("[hidden]")) return;
      if (!filled(el)) {
        if (el.hasAttribute("data-required")) add(el, el.closest(".dads-form-control"), el.tagName === "SELECT" ? text.msgChoose : text.msgRequired);
        return;
      }
      var check = el.getAttribute("data-check");
      var problem = check === "postcode" ? postcodeProblem(el.value) : check === "date" ? dateProblem(el.value) : null;
      if (problem) add(el, el.closest(".dads-form-control"), problem);
    });
    return errors;
  }

  // Removes the errors shown before (the server's from the last post, or an earlier client check),
  // so the page shows only the errors of this attempt.
  function clear() {
    each(document.querySelectorAll(".dads-error-summary, [data-client-error]"), function (el) { el.parentNode.removeChild(el); });
    each(form.querySelectorAll(".dads-form-control__error"), function (el) { el.parentNode.removeChild(el); });
    each(form.querySelectorAll("[aria-invalid], [aria-describedby]"), function (el) {
      el.removeAttribute("aria-invalid");
      var ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && !/-c?error$/.test(id); });
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" ")); else el.removeAttribute("aria-describedby");
    });
  }

  function describedBy(el, id) {
    var ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (ids.indexOf(id) < 0) ids.push(id);
    el.setAttribute("aria-describedby", ids.join(" "));
  }

  function show(errors) {
    clear();
    var summary = document.createElement("div");
    summary.className = "dads-notification-banner dads-error-summary";
    summary.setAttribute("data-type", "error");
    summary.setAttribute("role", "alert");
    summary.setAttribute("aria-labelledby", "error-summary-title");
    summary.setAttribute("tabindex", "-1");
    summary.setAttribute("data-client-error", "");
    var title = document.createElement("h2");
    title.className = "dads-notification-banner__title";
    title.id = "error-summary-title";
    title.textContent = text.errorsTitle;
    summary.appendChild(title);
    var list = document.createElement("ul");
    summary.appendChild(list);
    errors.forEach(function (error) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#" + error.target.id;
      a.textContent = "＊" + error.message;
      li.appendChild(a);
      list.appendChild(li);
      var control = error.control || error.target;
      var spanId = (control.id || error.target.id) + "-cerror";
      var span = document.getElementById(spanId);
      if (!span) {
        span = document.createElement("span");
        span.className = "dads-form-control__error";
        span.setAttribute("data-client-error", "");
        span.id = spanId;
        var legend = control.querySelector(":scope > legend, :scope > label");
        var hint = control.querySelector(":scope > .dads-form-control__hint");
        var after = hint || legend;
        if (after) after.insertAdjacentElement("afterend", span); else control.insertBefore(span, control.firstChild);
        span.textContent = "＊" + error.message;
      } else {
        span.textContent += " ＊" + error.message;
      }
      error.target.setAttribute("aria-invalid", "true");
      describedBy(error.target, spanId);
    });
    var heading = document.querySelector("main h1");
    heading.parentNode.insertBefore(summary, heading);
    summary.focus();
  }

  form.addEventListener("submit", function (e) {
    if (timer) { clearTimeout(timer); timer = null; }
    // An aborted save is typing not yet saved: if the checks below stop the send, a link still saves it.
    if (inFlight) { inFlight.abort(); inFlight = null; dirty = true; }
    // Only "次へ進む" is checked: adding a family member or saving for later must never be blocked.
    var submitter = e.submitter;
    if (!submitter || submitter.value !== "next") return;
    var errors = collect();
    if (errors.length === 0) return;
    e.preventDefault();
    show(errors);
  });
  // Registered after the checks above: a send they stopped keeps its unsaved typing for a later flush.
  form.addEventListener("submit", function (e) {
    if (e.defaultPrevented) return;
    dirty = false;
    leaving = true;
  });
})();
