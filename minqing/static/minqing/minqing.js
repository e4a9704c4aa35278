// Minqing's own script: htmx needs the CSRF token on its POSTs. No inline scripts anywhere (CSP).
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
});
