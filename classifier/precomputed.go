package classifier

import (
	"context"
	"errors"
	"image"
	"io"
	"slices"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/jsonl"
	"github.com/failmodes/prime/internal/precomputed"
)

// Precomputed is a Classifier whose predictions were computed elsewhere
// and saved in a JSON Lines file keyed by image id, one image per line:
//
//	{"id": "fox/n02119022_1.jpg", "pred": "fox"}
//	{"id": "fox/n02119022_2.jpg", "pred": "wolf"}
//
// Predictions have no Scores. The file is read by the rules of
// prime.RecordReader, which reads the same "pred" member, so a records file
// whose records have "pred" serves as well; other members are ignored.
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
	labels := precomputed.Names{}
	preds, err := precomputed.Load(path, "classifier", parser(labels))
	return newPrecomputed(preds, labels), err
}

// NewPrecomputed reads a Precomputed from r, in the format described at
// Precomputed. Errors name the line at fault.
func NewPrecomputed(r io.Reader) (*Precomputed, error) {
	labels := precomputed.Names{}
	preds, err := precomputed.Read(r, "classifier", "precomputed predictions", parser(labels))
	return newPrecomputed(preds, labels), err
}

// newPrecomputed returns a Precomputed holding preds, whose labels are
// those of labels, or nil when preds is nil.
func newPrecomputed(preds map[string]prime.Prediction, labels precomputed.Names) *Precomputed {
	if preds == nil {
		return nil
	}
	return &Precomputed{preds: preds, labels: labels.Sorted()}
}

// parser returns the parser of a line's prediction, which adds its label
// to labels.
func parser(labels precomputed.Names) precomputed.ParseFunc[prime.Prediction] {
	return func(r *jsonl.Record) (prime.Prediction, error) {
		if r.Pred.Len() == 0 {
			return prime.Prediction{}, &jsonl.Error{Field: "pred", Err: jsonl.ErrMissing}
		}
		return prime.Prediction{Label: labels.Add(r.Bytes(r.Pred))}, nil
	}
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
