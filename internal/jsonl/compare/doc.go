// Package compare measures the JSON Lines scanner of package jsonl against
// two well-kept libraries, github.com/go-json-experiment/json/jsontext (the
// encoding/json/jsontext of Go 1.27) and github.com/valyala/fastjson, each
// reading records by the same rules into the same fields. It is a module of
// its own, so that the libraries do not become requirements of prime's;
// the figures and the decision are in the package documentation of jsonl.
// Run it with
//
//	cd internal/jsonl/compare && go test -run '^$' -bench . -count 5
package compare
