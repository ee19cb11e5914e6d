// Anxin campaigns: the builder's live count, the workspace's digit keys,
// the workspace following progressive dialling, the live view's refresh.
// Every page works without it.
"use strict";

(function () {
  // liveCount asks /campaigns/count for the elders the builder's target
  // selects whenever a field of it changes, and shows the answer.
  function liveCount(form) {
    var out = document.getElementById("target-count");
    if (!out || !window.fetch) { return; }
    var timer = null, seq = 0;
    function ask() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (name !== "csrf" && name !== "op" && typeof value === "string" && value.trim() !== "") { params.append(name, value); }
      });
      var mine = ++seq;
      out.textContent = "…";
      fetch(form.getAttribute("data-count-url") + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (d) {
          if (mine !== seq) { return; }
          out.textContent = d.error ? d.error : (out.getAttribute("data-label") || "{n}").replace("{n}", String(d.count));
          out.classList.toggle("error", !!d.error);
        })
        .catch(function () { if (mine === seq) { out.textContent = ""; } });
    }
    function changed(ev) {
      if (!ev.target.classList || !ev.target.classList.contains("count-input")) { return; }
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    ask();
  }

  // typing reports whether a key pressed in el is text being typed.
  function typing(el) {
    var tag = el && el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") { return true; }
    return tag === "INPUT" && ["radio", "checkbox", "button", "submit"].indexOf(el.type) < 0;
  }

  // dispositionKeys lets the digits 1-9 end the call with the button of
  // that digit, unless the operator is typing an answer.
  function dispositionKeys(form) {
    document.addEventListener("keydown", function (ev) {
      if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.isComposing || typing(ev.target)) { return; }
      if (!/^[1-9]$/.test(ev.key)) { return; }
      var b = form.querySelector('button[data-key="' + ev.key + '"]');
      if (!b) { return; }
      ev.preventDefault();
      b.click();
    });
    form.addEventListener("click", function (ev) {
      var b = ev.target.closest && ev.target.closest("button[data-confirm]");
      if (b && !window.confirm(b.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  }

  // followPops opens, in a workspace where Anxin dials for the operator,
  // the elder it has just connected her to: when the screen pop of a call
  // placed for her in this campaign arrives (anxin.js puts it in
  // #screen-pop), the page goes to the pop's link to the attempt.
  function followPops(campaign) {
    var box = document.getElementById("screen-pop");
    if (!box || !window.MutationObserver) { return; }
    new window.MutationObserver(function () {
      var link = box.querySelector('a[data-work-campaign="' + campaign + '"]');
      var to = link && link.getAttribute("href");
      if (to && to !== window.location.pathname + window.location.search) { window.location.href = to; }
    }).observe(box, { childList: true });
  }

  // draftCount asks once how many elders a draft's target selects now.
  function draftCount(out) {
    if (!window.fetch) { return; }
    out.textContent = "…";
    fetch(out.getAttribute("data-count-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        out.textContent = d.error ? d.error : (out.getAttribute("data-label") || "{n}").replace("{n}", String(d.count));
        out.classList.toggle("error", !!d.error);
      })
      .catch(function () { out.textContent = ""; });
  }

  function init() {
    var builder = document.querySelector("form.campaign-form");
    if (builder) { liveCount(builder); }
    var draft = document.getElementById("draft-count");
    if (draft) { draftCount(draft); }
    var work = document.getElementById("work-form");
    if (work) { dispositionKeys(work); }
    var dialling = document.querySelector("[data-dialling]");
    if (dialling) { followPops(dialling.getAttribute("data-dialling")); }
    var refresh = document.querySelector("[data-refresh]");
    if (refresh) {
      setTimeout(function () { window.location.reload(); }, 1000 * Number(refresh.getAttribute("data-refresh")));
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
