// Package primetest checks that implementations of prime.Tagger and
// prime.Classifier follow the rules of their interfaces, in the spirit of
// testing/fstest.TestFS and testing/slogtest, and holds fakes of both for
// the tests of code that uses them.
//
// Call RunTagger or RunClassifier from the tests of an implementation:
// each rule is checked in a subtest of its own, and a failing subtest
// states the rule and what broke it.
//
//	func TestMyTagger(t *testing.T) {
//		primetest.RunTagger(t, mytagger.New())
//	}
//
// TestTagger and TestClassifier check the same rules and return one error
// joining every rule broken, or nil.
//
// The rules for both (each a subtest, named as here):
//
//   - odd-images: the plug-in accepts any image.Image: bounds not at
//     (0, 0), 1x1, Gray, Gray16, Paletted, CMYK, NRGBA with alpha, YCbCr
//     (see OddImages), and the caller's images.
//   - deterministic: calling it again on an image gives the same result
//     (tags in the same order, the same label, the same scores).
//   - concurrent: calls from several goroutines at once give the same
//     results as calls one at a time (run the tests with -race to catch
//     data races too).
//   - cancelled: with a cancelled context, the call returns within
//     Timeout with an error that wraps context.Canceled.
//   - owned: results belong to the caller: changing the returned slice of
//     tags, or the returned Scores, does not change what a later call
//     returns.
//   - batch: when the plug-in is a prime.BatchTagger or a
//     prime.BatchClassifier, the batch call returns one result per image,
//     equal to what the single call returns for each image alone (scores
//     to within 1e-5), and honours a cancelled context.
//   - image-untouched: the plug-in leaves the images it is given
//     unchanged.
//
// The rules for taggers only:
//
//   - vocabulary: when the tagger has a Vocabulary method (see
//     Vocabularer), the vocabulary is non-empty, its entries non-empty and
//     unique, and the slice returned is the caller's.
//   - tags: every tag's name is non-empty, appears at most once in a
//     result, and is in the vocabulary when the tagger exposes one; every
//     score is in [0, 1]; tags marked Below come only from a
//     prime.ScoreFloorer, whose floor is in [0, 1], and score above it.
//
// The rules for classifiers only:
//
//   - labels: when the classifier has a Labels method (see Labeler), the
//     label set is non-empty, its entries non-empty and unique, and the
//     slice returned is the caller's.
//   - prediction: the label is non-empty and, when the classifier exposes
//     its labels, one of them; scores are not NaN, and either absent or as
//     many for every image (one per label when the labels are exposed).
//
// A plug-in that answers by id (a prime.IDTagger or prime.IDClassifier) is
// checked through TagID or ClassifyID, the method prime.Run calls, with the
// images' ids in place of their pixels: give it answers for the ids of
// OddImages and of the caller's images.
//
// MapTagger and MapClassifier are fakes whose answers are listed by image
// id, in the manner of fstest.MapFS.
package primetest
