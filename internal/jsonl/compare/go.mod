module github.com/failmodes/prime/internal/jsonl/compare

go 1.26.0

replace github.com/failmodes/prime => ../../..

require (
	github.com/failmodes/prime v0.0.0-00010101000000-000000000000
	github.com/go-json-experiment/json v1.27.2
	github.com/valyala/fastjson v1.6.10
)

require (
	github.com/bits-and-blooms/bitset v1.29.0 // indirect
	golang.org/x/sync v0.12.0 // indirect
	gonum.org/v1/gonum v0.17.0 // indirect
)
