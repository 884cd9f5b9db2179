// plangen serve: the page's one script. Every page works without it (the "Kiểm tra và xem
// trước" button posts the form, a download link opens the file or a Vietnamese error page);
// with it:
//   - the preview and the field errors follow the clerk's typing, each error tied to its
//     field (aria-invalid, aria-describedby) and listed above the form;
//   - after a save that was refused, the first field with an error gets the focus;
//   - a download says what it is doing ("Đang chuyển … sang PDF… 5 giây") and, when it
//     cannot be made, why, beside the links (the server answers the script in JSON).
// Fragments and messages come from our own server, escaped there or set as text here.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) return;

  var BY_STATUS = {
    401: "Phiên đăng nhập đã hết; hãy tải lại trang và đăng nhập.",
    403: "Bạn không có quyền tải tệp này.",
    404: "Không tìm thấy tệp này; hãy tải lại trang.",
    409: "Hồ sơ đã lưu còn lỗi nên chưa tải được tệp; hãy tải lại trang để xem lỗi.",
    413: "Yêu cầu quá lớn.",
    429: "Quá nhiều yêu cầu; hãy đợi ít phút.",
    500: "Máy chủ gặp lỗi khi làm tệp này; hãy báo người quản trị.",
    503: "Máy chủ đang bận; hãy thử lại sau ít phút, hoặc tải bản .docx."
  };
  var OFFLINE = "không kết nối được tới máy chủ; hãy kiểm tra mạng rồi thử lại.";

  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }

  function item(text) {
    var li = document.createElement("li");
    li.textContent = text;
    return li;
  }

  // ------------------------------------------------------------------ field errors

  function tie(name, errorsId, invalid) {
    var control = document.getElementById("f-" + name);
    if (!control) return;
    var help = control.getAttribute("data-help");
    var ids = (invalid ? [errorsId] : []).concat(help ? [help] : []);
    if (invalid) control.setAttribute("aria-invalid", "true");
    else control.removeAttribute("aria-invalid");
    if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
    else control.removeAttribute("aria-describedby");
  }

  function labelOf(list) {
    var box = list.closest("[data-field]");
    return (box && box.getAttribute("data-label")) || list.getAttribute("data-errors-for");
  }

  function showErrors(form, data) {
    var fields = data.fields || {};
    var links = document.getElementById("field-error-links");
    var note = document.getElementById("field-errors-note");
    var count = 0;
    if (links) clear(links);
    var lists = form.querySelectorAll("[data-errors-for]");
    for (var i = 0; i < lists.length; i++) {
      var el = lists[i];
      var name = el.getAttribute("data-errors-for");
      var msgs = fields[name] || [];
      clear(el);
      for (var j = 0; j < msgs.length; j++) {
        el.appendChild(item(msgs[j]));
        if (links) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = "#f-" + name;
          a.textContent = labelOf(el);
          li.appendChild(a);
          li.appendChild(document.createTextNode(": " + msgs[j]));
          links.appendChild(li);
        }
        count++;
      }
      el.hidden = msgs.length === 0;
      var box = el.closest("[data-field]");
      if (box) box.classList.toggle("invalid", msgs.length > 0);
      tie(name, el.id, msgs.length > 0);
    }
    if (note) {
      note.hidden = count === 0;
      var n = document.getElementById("field-error-count");
      if (n) n.textContent = String(count);
    }
    var general = document.getElementById("general-errors");
    if (general) {
      var ul = general.querySelector("ul");
      clear(ul);
      (data.general || []).forEach(function (m) { ul.appendChild(item(m)); });
      general.hidden = !(data.general || []).length;
    }
  }

  function focusFirstError(form) {
    if (!form.hasAttribute("data-failed")) return;
    var target = form.querySelector('[aria-invalid="true"]');
    if (!target) {
      var general = document.getElementById("general-errors");
      target = general && !general.hidden ? general : null;
    }
    if (!target) return;
    var details = target.closest("details");
    if (details) details.open = true;
    target.focus();
  }

  function followSummaryLinks() {
    var links = document.getElementById("field-error-links");
    if (!links) return;
    links.addEventListener("click", function (ev) {
      var a = ev.target.closest("a[href^='#f-']");
      if (!a) return;
      var target = document.getElementById(a.getAttribute("href").slice(1));
      if (!target) return;
      ev.preventDefault();
      var details = target.closest("details");
      if (details) details.open = true;
      target.focus();
    });
  }

  // ------------------------------------------------------------------ live preview

  function livePreview(form) {
    var url = form.getAttribute("data-preview");
    var preview = document.getElementById("preview");
    var note = document.getElementById("live-note");
    var timer = null;
    var seq = 0;

    function say(text) { if (note) note.textContent = text; }

    function update() {
      var mine = ++seq;
      say("Đang cập nhật bản xem trước…");
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      }).then(function (data) {
        if (mine !== seq) return;
        preview.innerHTML = data.html;
        showErrors(form, data);
        say(data.ok ? (data.dirty ? "Có thay đổi chưa lưu." : "") : "Hồ sơ còn lỗi.");
        form.setAttribute("data-previewed", String(mine));
      }).catch(function () {
        if (mine === seq) say("Không cập nhật được bản xem trước; bấm “Kiểm tra và xem trước”.");
      });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(update, 350);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }

  // ------------------------------------------------------------------ downloads

  function report(status, text, kind) {
    status.textContent = text;
    status.className = "download-status small " + kind;
    status.setAttribute("aria-live", kind === "bad" ? "assertive" : "polite");
  }

  function failure(response) {
    var fallback = BY_STATUS[response.status] || ("lỗi " + response.status + ".");
    return response.json().then(function (data) {
      return data && data.message ? data.message : fallback;
    }, function () { return fallback; }).then(function (message) {
      var err = new Error(message);
      err.fromServer = true;
      throw err;
    });
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function download(link, status) {
    if (link.getAttribute("aria-busy") === "true") return;
    var name = link.getAttribute("data-download");
    var pdf = link.hasAttribute("data-pdf");
    var what = pdf ? "PDF " + link.getAttribute("data-what") : link.textContent;
    var started = Date.now();
    var timer = null;

    function progress() {
      var s = Math.floor((Date.now() - started) / 1000);
      if (!pdf) { report(status, "Đang tải " + what + "…", "busy"); return; }
      report(status, "Đang chuyển " + link.getAttribute("data-what") + " sang PDF…" +
        (s ? " " + s + " giây" : "") +
        " (thường vài giây; khi máy chủ bận có thể đến 2 phút)", "busy");
    }

    link.setAttribute("aria-busy", "true");
    progress();
    if (pdf) timer = setInterval(progress, 1000);
    fetch(link.href, {
      credentials: "same-origin",
      headers: { "Accept": "application/json, application/octet-stream;q=0.9" }
    }).then(function (r) {
      return r.ok ? r.blob() : failure(r);
    }).then(function (blob) {
      save(blob, name);
      report(status, "Đã tải " + what + " (" + name + ").", "done");
    }).catch(function (err) {
      report(status, "Không tải được " + what + ": " + (err.fromServer ? err.message : OFFLINE), "bad");
    }).then(function () {
      clearInterval(timer);
      link.removeAttribute("aria-busy");
    });
  }

  function downloads() {
    var box = document.getElementById("downloads");
    var status = document.getElementById("download-status");
    if (!box || !status || !window.URL || !URL.createObjectURL) return;
    box.addEventListener("click", function (ev) {
      var link = ev.target.closest("a[data-download]");
      if (!link || ev.button || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
      ev.preventDefault();
      download(link, status);
    });
  }

  // ------------------------------------------------------------------ start

  downloads();
  var form = document.getElementById("profile");
  if (form) {
    livePreview(form);
    followSummaryLinks();
    focusFirstError(form);
  }
})();
