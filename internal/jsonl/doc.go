// Package jsonl reads and writes the lines of the JSON Lines files prime
// reads: records files, and the precomputed tags and predictions, which
// are read by the same scanner under the same rules.
//
// # Rules
//
// Each line is one JSON object; a line of white space only is blank
// (ErrBlank), and a UTF-8 byte order mark at the start of a file is
// skipped (LineReader, Chunker). Parse checks every line in full: JSON
// syntax as RFC 8259 states it (encoding/json accepts and refuses the same
// lines), strings valid UTF-8 (an escaped lone surrogate becomes U+FFFD, as
// encoding/json decodes it), nesting at most MaxDepth deep. Of the members
// it knows, "id", "label", "pred" and "image" are strings, "correct" true
// or false, "tags" an array whose elements are non-empty strings or objects
// with a non-empty string "name" and an optional number "score" in [0, 1];
// "tag_scores" and "pred_scores" are objects of numbers under unique,
// non-empty names (a repeat is an error, ErrRepeated), each a float32, in
// [0, 1] for "tag_scores"; "tag_floor" is a number in [0, 1]. Numbers are
// read as float32s (strconv.ParseFloat with bitSize 32, as encoding/json
// reads into a float32), so that a score written as the shortest decimal
// of a float32 (AppendFloat32) reads back as the same float32.
// Member names match exactly, in case too: "ID" is an unknown member, as
// encoding/json/v2 matches them by default (encoding/json folds case). A
// known member given twice is an error (ErrRepeated), where encoding/json
// keeps the last; null stands for a missing member; unknown members are
// skipped, whatever their value and however often they appear. Which
// members a line must have is for the caller to check: CheckRecord for a
// record (which also requires a score in "tag_scores", when given, for
// every tag of "tags", and "tag_floor" only beside "tag_scores"), the
// precomputed readers for theirs. Errors name the member at
// fault (*Error), and the callers add the file and the line.
//
// # Why a scanner of its own
//
// Parse is a hand-written scanner for this one shape: it returns spans of
// the line (unescaping in place only the strings that hold escapes) and
// allocates nothing. Two well-kept libraries were measured against it,
// reading the same records into the same fields by the same rules and
// interning the tags in a map, as a Dataset's builder does, on one core of
// this project's 2-core machine (34 MB of records like ImageNet's through
// RAM, BenchmarkRead in internal/jsonl/compare, a module of its own so that
// the libraries are not prime's requirements; medians of 3, MB per CPU
// second):
//
//	this scanner                                   383
//	jsontext (go-json-experiment/json, Go 1.27's)  216
//	fastjson                                       276  (checks neither UTF-8 nor escapes)
//	fastjson with its Validate and a UTF-8 check   168
//
//	cd internal/jsonl/compare && go test -run '^$' -bench . -count 3
//
// Reading a records file into a Dataset takes this and more (the ids, the
// classes, the repeats), and must stay at 250 MB per CPU second or more on
// both cores at once; with either library it would fall below, so the
// scanner stays, checked against encoding/json line by line by the fuzz
// test FuzzParse. prime.ReadDataset reads an ImageNet-size file (1.3
// million records, 339 MB) at 279 MB per CPU second and 535 MB/s on both
// cores (package prime's BenchmarkReadDataset, records=1300000, medians of
// five runs on this shared 2-core machine):
//
//	go test -run '^$' -bench 'ReadDataset' -count 5 .
//
// AppendString and AppendFloat32 are the writer's half: a JSON string,
// escaped as encoding/json escapes it (without its HTML escaping), and a
// float32 as encoding/json writes it.
package jsonl
