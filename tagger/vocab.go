package tagger

import (
	"io"

	"github.com/failmodes/prime/internal/onnxrun"
)

// ReadVocabulary reads a tagger vocabulary, one tag per line, in the
// format of the Recognize Anything Model's ram_tag_list.txt: surrounding
// white space trimmed, the final newline optional, no blank line between
// tags, no repeated tag. Errors name the line.
func ReadVocabulary(r io.Reader) ([]string, error) {
	return onnxrun.ReadNames(r, "tagger", "tag", "")
}

// LoadVocabulary reads the vocabulary file at path (see ReadVocabulary).
// Errors name the file, the line and the value.
func LoadVocabulary(path string) ([]string, error) {
	return onnxrun.LoadNames(path, "tagger", "tag")
}

// ReadThresholds reads per-tag thresholds, one number in [0, 1] per line,
// aligned with the vocabulary, in the format of RAM's
// ram_tag_list_threshold.txt (the final newline optional). Errors name
// the line and the value.
func ReadThresholds(r io.Reader) ([]float32, error) {
	return onnxrun.ReadThresholds(r, "tagger", "")
}

// LoadThresholds reads the thresholds file at path (see ReadThresholds).
// Errors name the file, the line and the value.
func LoadThresholds(path string) ([]float32, error) {
	return onnxrun.LoadThresholds(path, "tagger")
}
