package classifier

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"slices"
	"unicode/utf8"

	"github.com/failmodes/prime"
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
// Classify looks the image up by the id its context carries: Run sets it
// (see prime.ContextWithImageID); the pixels are not looked at. A context
// without an id is an error wrapping prime.ErrNoImageID, and an id the file
// does not hold is an error naming it.
//
// A Precomputed is immutable and safe for concurrent use.
type Precomputed struct {
	preds  map[string]prime.Prediction
	labels []string // every predicted label, ascending
}

// LoadPrecomputed reads a Precomputed from the file at path.
func LoadPrecomputed(path string) (*Precomputed, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("classifier: %w", err)
	}
	defer f.Close()
	return readPrecomputed(f, path)
}

// NewPrecomputed reads a Precomputed from r, in the format described at
// Precomputed. Errors name the line at fault.
func NewPrecomputed(r io.Reader) (*Precomputed, error) {
	return readPrecomputed(r, "precomputed predictions")
}

// precomputedLine is one line of a precomputed predictions file.
type precomputedLine struct {
	ID   string `json:"id"`
	Pred string `json:"pred"`
}

func readPrecomputed(r io.Reader, name string) (*Precomputed, error) {
	p := &Precomputed{preds: make(map[string]prime.Prediction)}
	labels := make(map[string]bool)
	br := bufio.NewReaderSize(r, 64<<10)
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("classifier: %s: %w", name, err)
		}
		if len(bytes.TrimSpace(line)) > 0 {
			var l precomputedLine
			lerr := parsePrecomputedLine(line, &l)
			if lerr == nil {
				if _, dup := p.preds[l.ID]; dup {
					lerr = fmt.Errorf("id %q repeated", l.ID)
				}
			}
			if lerr != nil {
				return nil, fmt.Errorf("classifier: %s:%d: %w", name, lineNo, lerr)
			}
			p.preds[l.ID] = prime.Prediction{Label: l.Pred}
			labels[l.Pred] = true
		}
		if err == io.EOF {
			break
		}
	}
	if len(p.preds) == 0 {
		return nil, fmt.Errorf("classifier: %s: no images", name)
	}
	for l := range labels {
		p.labels = append(p.labels, l)
	}
	slices.Sort(p.labels)
	return p, nil
}

func parsePrecomputedLine(line []byte, l *precomputedLine) error {
	if !utf8.Valid(line) {
		return errors.New("invalid UTF-8")
	}
	if err := json.Unmarshal(line, l); err != nil {
		return fmt.Errorf("not a JSON object of the expected fields: %w", err)
	}
	switch {
	case l.ID == "":
		return errors.New(`field "id": missing or empty`)
	case l.Pred == "":
		return errors.New(`field "pred": missing or empty`)
	}
	return nil
}

// Classify returns the prediction the file holds for the image whose id
// ctx carries. img is not looked at.
func (p *Precomputed) Classify(ctx context.Context, img image.Image) (prime.Prediction, error) {
	if err := ctx.Err(); err != nil {
		return prime.Prediction{}, fmt.Errorf("classifier: %w", err)
	}
	id, ok := prime.ImageIDFromContext(ctx)
	if !ok {
		return prime.Prediction{}, fmt.Errorf("classifier: precomputed predictions: %w (Run sets it; elsewhere use prime.ContextWithImageID)", prime.ErrNoImageID)
	}
	pred, ok := p.preds[id]
	if !ok {
		return prime.Prediction{}, fmt.Errorf("classifier: precomputed predictions: no image %q in the file", id)
	}
	return pred, nil
}

// Labels returns every label the file predicts, ascending, in a new slice.
func (p *Precomputed) Labels() []string { return slices.Clone(p.labels) }

// Len returns the number of images the file holds.
func (p *Precomputed) Len() int { return len(p.preds) }
