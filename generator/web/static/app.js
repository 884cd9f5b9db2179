// plangen serve: the live preview of the profile form. The page works without this script
// (the "Kiểm tra và xem trước" button posts the form); with it, the preview and the field
// errors follow the clerk's typing. The fragment comes from our own server, escaped there.
(function () {
  "use strict";
  var form = document.getElementById("profile");
  if (!form || !window.fetch || !window.FormData) return;
  var url = form.getAttribute("data-preview");
  var preview = document.getElementById("preview");
  var note = document.getElementById("live-note");
  var timer = null;
  var seq = 0;

  function say(text) { if (note) note.textContent = text; }

  function showErrors(data) {
    var fields = data.fields || {};
    var lists = form.querySelectorAll("[data-errors-for]");
    for (var i = 0; i < lists.length; i++) {
      var el = lists[i];
      var name = el.getAttribute("data-errors-for");
      var msgs = fields[name] || [];
      while (el.firstChild) el.removeChild(el.firstChild);
      for (var j = 0; j < msgs.length; j++) {
        var li = document.createElement("li");
        li.textContent = msgs[j];
        el.appendChild(li);
      }
      el.hidden = msgs.length === 0;
      var box = el.closest("[data-field]");
      if (box) box.classList.toggle("invalid", msgs.length > 0);
    }
    var general = document.getElementById("general-errors");
    if (general) {
      var ul = general.querySelector("ul");
      while (ul.firstChild) ul.removeChild(ul.firstChild);
      (data.general || []).forEach(function (m) {
        var li = document.createElement("li");
        li.textContent = m;
        ul.appendChild(li);
      });
      general.hidden = !(data.general || []).length;
    }
  }

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
      showErrors(data);
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
})();
