// After the identity provider's redirect: follow the "続ける" link from this page, so that the next
// request starts on Madoguchi's own site and the SameSite=Strict sign-in cookies are sent with it.
// Without JavaScript the person clicks the link.
(function () {
  "use strict";
  var link = document.querySelector("a[data-continue]");
  if (link) window.location.replace(link.getAttribute("href"));
})();
