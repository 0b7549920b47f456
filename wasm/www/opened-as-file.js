// A plain script (not a module), so that it runs even when the page is opened as a file: a
// browser will not load ES modules or the .wasm from file://, and the form would stay on
// "正在加载规则…". Say instead how to open it.
if (location.protocol === "file:") {
  document.addEventListener("DOMContentLoaded", function () {
    var outcome = document.getElementById("outcome");
    if (!outcome) return;
    var paragraph = function (lang, text) {
      var p = document.createElement("p");
      p.className = "file-help";
      p.lang = lang;
      p.textContent = text;
      return p;
    };
    outcome.replaceChildren(
      paragraph(
        "zh-CN",
        "本页面需要通过网址打开：浏览器不允许直接打开的文件加载测算模块。" +
          "请在项目目录运行 scripts/serve-form，再访问 http://127.0.0.1:8080/；" +
          "或将本文件夹放到任一网站服务器上（.wasm 文件须以 application/wasm 类型提供）。",
      ),
      paragraph(
        "en",
        "Open this page through a web address: a browser does not load the estimate module from a file opened directly. " +
          "Run scripts/serve-form in the project and visit http://127.0.0.1:8080/, or put this folder on any web server " +
          "(serving .wasm as application/wasm).",
      ),
    );
  });
}
