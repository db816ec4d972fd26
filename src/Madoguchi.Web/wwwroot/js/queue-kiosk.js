// The slip prints itself once; the button prints again. Without JavaScript the browser's own print works,
// and if the printer fails the number and QR code stay on screen.
(function () {
  var slip = document.querySelector('.queue-slip');
  if (!slip) return;
  var button = slip.querySelector('[data-print]');
  if (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  }
  if (slip.getAttribute('data-autoprint') === 'true') {
    window.addEventListener('load', function () {
      try { window.print(); } catch (e) { /* no printer: the screen still shows the slip */ }
    });
  }
})();
