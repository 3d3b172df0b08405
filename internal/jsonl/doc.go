// Package jsonl reads and writes the lines of a prime records file (JSON
// Lines, one record object per line) without reflection.
//
// Parse is a hand-written scanner for the record shape: it returns byte
// slices that point into the line (unescaping only the strings that hold
// escapes), validates UTF-8, skips unknown members of any JSON type, and
// accepts and rejects exactly what encoding/json does for the same line.
// AppendString is the writer's half: a JSON string, escaped as
// encoding/json escapes it (without its HTML escaping).
package jsonl
