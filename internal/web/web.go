// Package web serves the browser UI: static files embedded in the binary.
// dist holds the page and its style, written by hand, and app.js, which
// `make` bundles from web/src with esbuild; nothing is loaded from
// anywhere else.
package web

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed dist
var files embed.FS

// notBuilt is sent in place of app.js when the binary was built without
// the bundle (go build without make): the page says what to do.
const notBuilt = `document.getElementById("main").innerHTML =
  "<p class=error>The web UI was not built into this binary. Run <code>make build</code> (it bundles web/src with esbuild) and start callscope again.</p>";`

// Handler serves the page at / and its files under /ui/.
func Handler() http.Handler {
	dist, _ := fs.Sub(files, "dist")
	static := http.StripPrefix("/ui/", http.FileServerFS(dist))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ui/app.js", func(w http.ResponseWriter, r *http.Request) {
		if _, err := fs.Stat(dist, "app.js"); err != nil {
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			w.Write([]byte(notBuilt))
			return
		}
		static.ServeHTTP(w, r)
	})
	mux.Handle("GET /ui/", static)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, dist, "index.html")
	})
	return mux
}

// Built reports whether the bundle is in the binary.
func Built() bool {
	_, err := fs.Stat(files, "dist/app.js")
	return err == nil
}
