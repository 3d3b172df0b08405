package classifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"slices"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/precomputed"
)

// Precomputed is a Classifier whose predictions were computed elsewhere
// and saved in a JSON Lines file keyed by image id, one image per line:
//
//	{"id": "fox/n02119022_1.jpg", "pred": "fox"}
//	{"id": "fox/n02119022_2.jpg", "pred": "wolf"}
//
// Predictions have no Scores. Other fields are ignored,
// so a records file (see prime.Record) whose records have "pred" serves as
// well. Blank lines are skipped.
//
// It is a prime.IDClassifier: ClassifyID looks an image up by its id, and
// prime.Run calls it without opening the image; an id the file does not
// hold is an error naming it. IDs lists the ids the file holds, so that a
// caller can check it against its images before any inference.
//
// A Precomputed is immutable and safe for concurrent use.
type Precomputed struct {
	preds  map[string]prime.Prediction
	labels []string // every predicted label, ascending
}

// LoadPrecomputed reads a Precomputed from the file at path.
func LoadPrecomputed(path string) (*Precomputed, error) {
	preds, err := precomputed.Load(path, "classifier", parsePrecomputedLine)
	return newPrecomputed(preds), err
}

// NewPrecomputed reads a Precomputed from r, in the format described at
// Precomputed. Errors name the line at fault.
func NewPrecomputed(r io.Reader) (*Precomputed, error) {
	preds, err := precomputed.Read(r, "classifier", "precomputed predictions", parsePrecomputedLine)
	return newPrecomputed(preds), err
}

// precomputedLine is one line of a precomputed predictions file.
type precomputedLine struct {
	ID   string `json:"id"`
	Pred string `json:"pred"`
}

// newPrecomputed returns a Precomputed holding preds, or nil when preds
// is.
func newPrecomputed(preds map[string]prime.Prediction) *Precomputed {
	if preds == nil {
		return nil
	}
	p := &Precomputed{preds: preds}
	labels := make(map[string]bool)
	for _, pred := range preds {
		labels[pred.Label] = true
	}
	for l := range labels {
		p.labels = append(p.labels, l)
	}
	slices.Sort(p.labels)
	return p
}

// parsePrecomputedLine returns the id and prediction of one line (valid
// UTF-8).
func parsePrecomputedLine(line []byte) (string, prime.Prediction, error) {
	var l precomputedLine
	if err := json.Unmarshal(line, &l); err != nil {
		return "", prime.Prediction{}, fmt.Errorf("not a JSON object of the expected fields: %w", err)
	}
	switch {
	case l.ID == "":
		return "", prime.Prediction{}, errors.New(`field "id": missing or empty`)
	case l.Pred == "":
		return "", prime.Prediction{}, errors.New(`field "pred": missing or empty`)
	}
	return l.ID, prime.Prediction{Label: l.Pred}, nil
}

// ClassifyID returns the prediction the file holds for image id.
func (p *Precomputed) ClassifyID(ctx context.Context, id string) (prime.Prediction, error) {
	return precomputed.Lookup(ctx, p.preds, id, "classifier", "precomputed predictions")
}

// Classify returns an error: a Precomputed answers by image id, through
// ClassifyID, which prime.Run calls.
func (p *Precomputed) Classify(ctx context.Context, img image.Image) (prime.Prediction, error) {
	return prime.Prediction{}, errors.New("classifier: Precomputed looks predictions up by image id: call ClassifyID")
}

// IDs returns the ids of the images the file holds, ascending, in a new
// slice.
func (p *Precomputed) IDs() []string { return precomputed.IDs(p.preds) }

// Labels returns every label the file predicts, ascending, in a new slice.
func (p *Precomputed) Labels() []string { return slices.Clone(p.labels) }

// Len returns the number of images the file holds.
func (p *Precomputed) Len() int { return len(p.preds) }
