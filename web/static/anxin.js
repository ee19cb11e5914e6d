// Anxin console: small progressive enhancements; every page works without it.
"use strict";

(function () {
  // ignored reports whether keys typed into el mean something else there:
  // every form field but the search box.
  function ignored(el) {
    var tag = el && el.tagName;
    return tag === "SELECT" || tag === "TEXTAREA" || (tag === "INPUT" && el.type !== "search");
  }

  // keynav lets the keyboard walk a result table marked data-keynav: ↓ and
  // ↑ move a highlighted row (from the search box too), Enter opens it,
  // Escape drops the highlight, typing a new search forgets it. Rows carry
  // their link in data-href; a click anywhere on a row opens it as well.
  function keynav(table) {
    var current = -1;
    var opening = false; // Enter opened a row: the search must not submit too
    function rows() {
      return Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-href]"));
    }
    function highlight(i) {
      var rs = rows();
      if (rs.length === 0) { return; }
      current = Math.max(0, Math.min(rs.length - 1, i));
      rs.forEach(function (r, j) {
        r.classList.toggle("current", j === current);
        if (j === current) { r.setAttribute("aria-selected", "true"); } else { r.removeAttribute("aria-selected"); }
      });
      rs[current].scrollIntoView({ block: "nearest" });
    }
    function clear() {
      rows().forEach(function (r) { r.classList.remove("current"); r.removeAttribute("aria-selected"); });
      current = -1;
    }
    function open(href) {
      opening = true;
      window.location.href = href;
    }
    document.addEventListener("keydown", function (ev) {
      if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.isComposing || ignored(ev.target)) { return; }
      var tag = ev.target && ev.target.tagName;
      if (ev.key === "ArrowDown") {
        ev.preventDefault();
        highlight(current + 1);
      } else if (ev.key === "ArrowUp" && current >= 0) {
        ev.preventDefault();
        if (current > 0) { highlight(current - 1); return; }
        clear();
        var q = document.querySelector("input[type=search]");
        if (q) { q.focus(); }
      } else if (ev.key === "Enter" && current >= 0 && tag !== "BUTTON" && tag !== "A" && tag !== "SUMMARY") {
        ev.preventDefault();
        open(rows()[current].getAttribute("data-href"));
      } else if (ev.key === "Escape" && current >= 0) {
        clear();
      }
    });
    // Some browsers (and synthetic key events) still submit the search on
    // Enter after its keydown was taken; opening the row wins.
    document.addEventListener("submit", function (ev) {
      if (opening) { ev.preventDefault(); }
    }, true);
    window.addEventListener("pageshow", function () { opening = false; });
    document.addEventListener("input", function (ev) {
      if (ev.target && ev.target.type === "search") { clear(); }
    });
    table.addEventListener("click", function (ev) {
      var r = ev.target.closest("tr[data-href]");
      if (r && !ev.target.closest("a, button, input, select, label")) { open(r.getAttribute("data-href")); }
    });
  }

  // focusProblem puts the cursor in the first field of a refused form that
  // has a problem, rather than at the top of the form.
  function focusProblem() {
    var problem = document.querySelector("form .field-error");
    if (!problem) { return; }
    var cell = problem.parentElement;
    var field = cell.querySelector("[aria-invalid=true]") || cell.querySelector("input:not([type=hidden]), select, textarea");
    if (field) { field.focus(); }
  }

  // caretToEnd lets the user type on after the last search, which the
  // search box shows again.
  function caretToEnd() {
    var q = document.querySelector("input[type=search][autofocus]");
    if (q && q.value) {
      q.focus();
      q.setSelectionRange(q.value.length, q.value.length);
    }
  }

  // Search forms (GET, role=search) leave empty filters out of the
  // address, so it stays short enough to read and share: /elders?q=wxy.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (ev.defaultPrevented || form.getAttribute("role") !== "search" || (form.method || "").toLowerCase() !== "get") { return; }
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && value.trim() !== "") { params.append(name, value); }
    });
    ev.preventDefault();
    var query = params.toString();
    window.location.href = form.action.split("?")[0] + (query ? "?" + query : "");
  });

  function init() {
    caretToEnd();
    focusProblem();
    Array.prototype.forEach.call(document.querySelectorAll("table[data-keynav]"), keynav);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  // screenPop listens for calls ringing this operator's phone and shows
  // who is calling, as the server rendered it, at the top of any page.
  function screenPop(box) {
    if (!window.EventSource) { return; }
    var events = new EventSource("/events");
    events.addEventListener("call", function (e) {
      box.innerHTML = e.data;
      var close = document.createElement("button");
      close.type = "button";
      close.className = "link pop-close";
      close.textContent = box.getAttribute("data-close") || "×";
      close.addEventListener("click", function () { box.hidden = true; });
      box.appendChild(close);
      box.hidden = false;
    });
  }
  var pop = document.getElementById("screen-pop");
  if (pop) { screenPop(pop); }

  // An IVR menu's option rows suggest the targets that fit the action
  // chosen: queues, menus, prompts or languages.
  document.addEventListener("change", function (ev) {
    var action = ev.target;
    if (!action.classList || !action.classList.contains("ivr-action")) { return; }
    var target = action.closest("tr").querySelector("input.ivr-target");
    if (target) { target.setAttribute("list", "ivr-targets-" + action.value); }
  });
})();
