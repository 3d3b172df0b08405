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
	// Below marks a concept the tagger scored at or below its threshold:
	// the image does not carry it, and Run keeps only its score (see
	// ScoreFloorer).
	Below bool
}

// A ScoreFloorer is a Tagger that returns, besides the tags an image
// carries, every other entry of its vocabulary that scored above a floor,
// marked Below, so that records keep the scores of those tags too and
// their tags can be decided again at lower thresholds without running the
// tagger again (see Record.TagScores and Rethreshold). ScoreFloor returns
// the floor, in [0, 1]: every entry the tagger does not return scored at
// most that. A tagger that returns no Below tag may have the method too:
// its floor is then its highest threshold.
//
// Run keeps in each record the score of every tag a ScoreFloorer returns,
// Below or not, and its floor; of other taggers, no score.
type ScoreFloorer interface {
	Tagger
	ScoreFloor() float32
}

// A Tagger names the human-understandable concepts in an image.
//
// Rules for implementers:
//   - Tag is safe for concurrent use by multiple goroutines: Run calls it
//     from several workers at once.
//   - Tag is deterministic: the same image gives the same tags, in the same
//     order, with the same scores, whatever other calls are in flight.
//   - Every returned Name is non-empty, comes from the tagger's vocabulary,
//     and appears at most once; no tags at all is a valid answer. A tagger
//     that knows its vocabulary should expose it as a method
//     Vocabulary() []string, which the conformance kit checks.
//   - A tag marked Below is one the image does not carry; only a
//     ScoreFloorer returns such tags, each scoring above its floor.
//   - The returned slice belongs to the caller. Tag must not keep it, nor
//     modify or keep img.
//   - When ctx is cancelled, before or during the call, Tag returns promptly
//     with an error that wraps ctx.Err().
//   - Tag accepts any image.Image: bounds need not start at (0, 0), and the
//     color model may be anything (gray, paletted, CMYK, with alpha).
//   - An error means the tagger failed: Run stops at it.
//
// A tagger that answers from the image's id rather than its pixels is an
// IDTagger. The package primetest checks these rules for any
// implementation (primetest.RunTagger).
type Tagger interface {
	Tag(ctx context.Context, img image.Image) ([]Tag, error)
}

// A BatchTagger is a Tagger that can tag several images in one call, which
// models that batch run faster. Run uses TagBatch when the Tagger has it,
// with 1 to RunOptions.BatchSize images. TagBatch returns exactly one []Tag
// per image, in order, equal to what Tag returns for each image alone, or an
// error; it must not keep imgs.
type BatchTagger interface {
	Tagger
	TagBatch(ctx context.Context, imgs []image.Image) ([][]Tag, error)
}

// An IDTagger is a Tagger that answers from an image's id alone, without
// its pixels, such as tagger.Precomputed, which reads tags computed
// elsewhere. Run calls TagID, when the Tagger has it, instead of Tag and
// TagBatch, with Image.ID; and when the Classifier needs no pixels either
// (it is an IDClassifier), Run does not open the images at all.
//
// TagID follows the rules of Tag, with the id in place of the image. An id
// it has no answer for is an error, and Run stops at it. Its Tag method may
// return an error that says to call TagID.
type IDTagger interface {
	Tagger
	TagID(ctx context.Context, id string) ([]Tag, error)
}

// A Prediction is a Classifier's answer for one image.
type Prediction struct {
	Label string // the predicted class
	// Scores is optional: one score per class, in the order of the
	// classifier's Labels() []string method when it has one.
	Scores []float32
}

// A Classifier is the model under test: it predicts the class of an image.
//
// Rules for implementers:
//   - Classify is safe for concurrent use by multiple goroutines: Run calls
//     it from several workers at once.
//   - Classify is deterministic: the same image gives the same Prediction,
//     whatever other calls are in flight.
//   - Label is non-empty and, when the classifier exposes its classes as a
//     method Labels() []string, one of them; Scores, when given, has one
//     entry per label.
//   - The returned Scores belong to the caller. Classify must not keep them,
//     nor modify or keep img.
//   - When ctx is cancelled, before or during the call, Classify returns
//     promptly with an error that wraps ctx.Err().
//   - Classify accepts any image.Image: bounds need not start at (0, 0), and
//     the color model may be anything.
//   - An error means the classifier failed: Run stops at it.
//
// A classifier that answers from the image's id rather than its pixels is
// an IDClassifier. The package primetest checks these rules for any
// implementation (primetest.RunClassifier).
type Classifier interface {
	Classify(ctx context.Context, img image.Image) (Prediction, error)
}

// A BatchClassifier is a Classifier that can classify several images in one
// call. Run uses ClassifyBatch when the Classifier has it, with 1 to
// RunOptions.BatchSize images. It returns exactly one Prediction per image,
// in order, equal to what Classify returns for each image alone, or an
// error; it must not keep imgs.
type BatchClassifier interface {
	Classifier
	ClassifyBatch(ctx context.Context, imgs []image.Image) ([]Prediction, error)
}

// An IDClassifier is a Classifier that answers from an image's id alone,
// without its pixels, such as classifier.Precomputed, which reads
// predictions made elsewhere. Run calls ClassifyID, when the Classifier has
// it, instead of Classify and ClassifyBatch, with Image.ID; and when the
// Tagger needs no pixels either (it is an IDTagger), Run does not open the
// images at all.
//
// ClassifyID follows the rules of Classify, with the id in place of the
// image. An id it has no answer for is an error, and Run stops at it. Its
// Classify method may return an error that says to call ClassifyID.
type IDClassifier interface {
	Classifier
	ClassifyID(ctx context.Context, id string) (Prediction, error)
}
