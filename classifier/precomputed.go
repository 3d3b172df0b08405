package classifier

import (
	"context"
	"errors"
	"image"
	"io"

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
	preds *precomputed.File[prime.Prediction] // names: the labels
}

// what names the file in errors.
const what = "precomputed predictions"

// LoadPrecomputed reads a Precomputed from the file at path.
func LoadPrecomputed(path string) (*Precomputed, error) {
	return newPrecomputed(precomputed.Load(path, "classifier", what, parse))
}

// NewPrecomputed reads a Precomputed from r, in the format described at
// Precomputed. Errors name the line at fault.
func NewPrecomputed(r io.Reader) (*Precomputed, error) {
	return newPrecomputed(precomputed.Read(r, "classifier", what, parse))
}

// newPrecomputed returns a Precomputed holding preds, or err.
func newPrecomputed(preds *precomputed.File[prime.Prediction], err error) (*Precomputed, error) {
	if err != nil {
		return nil, err
	}
	return &Precomputed{preds: preds}, nil
}

// parse returns a line's prediction, and adds its label to labels.
func parse(r *jsonl.Record, labels precomputed.Names) (prime.Prediction, error) {
	if r.Pred.Len() == 0 {
		return prime.Prediction{}, &jsonl.Error{Field: "pred", Err: jsonl.ErrMissing}
	}
	return prime.Prediction{Label: labels.Add(r.Bytes(r.Pred))}, nil
}

// ClassifyID returns the prediction the file holds for image id.
func (p *Precomputed) ClassifyID(ctx context.Context, id string) (prime.Prediction, error) {
	return p.preds.Lookup(ctx, id)
}

// Classify returns an error: a Precomputed answers by image id, through
// ClassifyID, which prime.Run calls.
func (p *Precomputed) Classify(ctx context.Context, img image.Image) (prime.Prediction, error) {
	return prime.Prediction{}, errors.New("classifier: Precomputed looks predictions up by image id: call ClassifyID")
}

// IDs returns the ids of the images the file holds, ascending, in a new
// slice.
func (p *Precomputed) IDs() []string { return p.preds.IDs() }

// Labels returns every label the file predicts, ascending, in a new slice.
func (p *Precomputed) Labels() []string { return p.preds.Names() }

// Len returns the number of images the file holds.
func (p *Precomputed) Len() int { return p.preds.Len() }
