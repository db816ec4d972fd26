// Keyboard shortcuts of the counter console: a key presses the button carrying data-shortcut with it.
// Ignored while typing in a field or with a modifier, so they never steal text input or browser keys.
(function () {
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    var t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
    var key = (e.key || '').toLowerCase();
    if (key.length !== 1) return;
    var button = document.querySelector('button[data-shortcut="' + key + '"]:not([disabled])');
    if (!button) return;
    e.preventDefault();
    button.click();
  });
})();
