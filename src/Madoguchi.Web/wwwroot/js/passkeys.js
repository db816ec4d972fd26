// Passkeys (WebAuthn) for the staff sign-in and profile pages. A form marked data-passkey="get" or
// "create" asks the server for options (data-options), runs the browser's passkey dialog, puts the
// result in its hidden CredentialJson field and is then posted like any other form. Without this
// script (or without WebAuthn in the browser) the buttons stay hidden and the password-and-code
// sign-in remains, as the pages say.
(function () {
  "use strict";
  var pkc = window.PublicKeyCredential;
  if (!pkc || typeof pkc.parseCreationOptionsFromJSON !== "function" || typeof pkc.parseRequestOptionsFromJSON !== "function") return;

  function say(form, text) {
    var status = form.querySelector("[data-passkey-status]");
    if (status) status.textContent = text;
  }

  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    var button = form.querySelector("[data-passkey-button]");
    var field = form.querySelector('input[name$="CredentialJson"]');
    if (!button || !field) return;
    button.hidden = false;
    form.addEventListener("submit", function (event) {
      if (field.value) return;
      event.preventDefault();
      var create = form.getAttribute("data-passkey") === "create";
      var token = form.querySelector('input[name="__RequestVerificationToken"]');
      button.disabled = true;
      say(form, "パスキーの確認を待っています…");
      fetch(form.getAttribute("data-options"), {
        method: "POST",
        credentials: "same-origin",
        headers: { RequestVerificationToken: token ? token.value : "" }
      }).then(function (response) {
        if (!response.ok) throw new Error("options " + response.status);
        return response.json();
      }).then(function (options) {
        return create
          ? navigator.credentials.create({ publicKey: pkc.parseCreationOptionsFromJSON(options) })
          : navigator.credentials.get({ publicKey: pkc.parseRequestOptionsFromJSON(options) });
      }).then(function (credential) {
        field.value = JSON.stringify(credential);
        say(form, "送信しています…");
        form.submit();
      }).catch(function () {
        button.disabled = false;
        say(form, create
          ? "パスキーを登録できませんでした。もう一度お試しください。"
          : "パスキーでサインインできませんでした。もう一度お試しいただくか、パスワードと確認コードでサインインしてください。");
      });
    });
  });
})();
