package prime

import (
	"context"
	"image"
)

// A Tag is one concept a Tagger sees in an image, with the tagger's
// confidence in it.
type Tag struct {
	Name  string  // the concept, from the tagger's vocabulary
	Score float32 // confidence in [0, 1]; 1 when the tagger has no score
}

// A Tagger names the human-understandable concepts in an image.
//
// Rules for implementers:
//   - Tag must be safe for concurrent use by multiple goroutines, or the
//     type must document otherwise; Run calls it from several workers.
//   - Tag must be deterministic: the same image gives the same tags.
//   - Every returned Name comes from the tagger's vocabulary, at most once.
//   - The returned slice belongs to the caller; the Tagger must not keep or
//     reuse it.
//   - When ctx is cancelled Tag returns promptly with an error that wraps
//     ctx.Err().
//   - Tag accepts any image.Image: bounds need not start at (0, 0), and the
//     color model may be anything (gray, paletted, CMYK, with alpha).
//
// The package tagger/taggertest checks these rules for any implementation.
type Tagger interface {
	Tag(ctx context.Context, img image.Image) ([]Tag, error)
}

// A BatchTagger is a Tagger that can tag several images in one call, which
// models that batch run faster. Run uses TagBatch when the Tagger has it.
// TagBatch returns one []Tag per image, in order, equal to what Tag returns
// for each image alone.
type BatchTagger interface {
	Tagger
	TagBatch(ctx context.Context, imgs []image.Image) ([][]Tag, error)
}

// A Prediction is a Classifier's answer for one image.
type Prediction struct {
	Label  string    // the predicted class
	Scores []float32 // optional: one score per class, in the classifier's label order
}

// A Classifier is the model under test: it predicts the class of an image.
//
// Rules for implementers are those of Tagger: safe for concurrent use (or
// documented otherwise), deterministic, returned slices owned by the caller,
// prompt return with an error wrapping ctx.Err() on cancellation, and any
// image.Image accepted.
//
// The package classifier/classifiertest checks these rules for any
// implementation.
type Classifier interface {
	Classify(ctx context.Context, img image.Image) (Prediction, error)
}

// A BatchClassifier is a Classifier that can classify several images in one
// call. Run uses ClassifyBatch when the Classifier has it. It returns one
// Prediction per image, in order, equal to what Classify returns for each
// image alone.
type BatchClassifier interface {
	Classifier
	ClassifyBatch(ctx context.Context, imgs []image.Image) ([]Prediction, error)
}
