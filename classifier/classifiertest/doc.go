// Package classifiertest checks that an implementation of prime.Classifier
// follows the rules of the interface, in the spirit of testing/fstest.TestFS
// and testing/slogtest: call TestClassifier, which returns one error
// joining every rule broken, or Run, which checks each rule in a subtest of
// its own, from the tests of the implementation:
//
//	func TestMyClassifier(t *testing.T) {
//		classifiertest.Run(t, mymodel.New())
//	}
//
// The rules checked (each a subtest of Run, named as here):
//
//   - labels: when the classifier has a Labels method (see Labeler), the
//     label set is non-empty, its entries non-empty and unique, and the
//     slice returned is the caller's.
//   - odd-images: Classify accepts any image.Image: bounds not at (0, 0),
//     1x1, Gray, Gray16, Paletted, CMYK, NRGBA with alpha, YCbCr (see
//     OddImages), and the caller's images.
//   - prediction: the label is non-empty and, when the classifier exposes
//     its labels, one of them; scores are not NaN, and either absent or as
//     many for every image (one per label when the labels are exposed).
//   - deterministic: classifying an image again gives the same label and
//     scores.
//   - concurrent: calls from several goroutines at once give the same
//     results as calls one at a time (run the tests with -race to catch
//     data races too).
//   - cancelled: with a cancelled context, Classify returns promptly with
//     an error that wraps context.Canceled.
//   - owned: the returned Scores belong to the caller: changing them does
//     not change what a later call returns.
//   - batch: when the classifier is a prime.BatchClassifier, ClassifyBatch
//     returns one prediction per image, equal to what Classify returns for
//     each image alone (scores to within 1e-5), and honours a cancelled
//     context.
//   - image-untouched: Classify and ClassifyBatch leave the images they
//     are given unchanged.
//
// Every call's context carries the image's id (prime.ContextWithImageID,
// or prime.ContextWithImageIDs for a batch), as prime.Run passes it, so
// that classifiers that look their answers up by id can be checked: give
// them answers for the ids of OddImages and of the caller's images.
//
// Map is a fake for the tests of code that takes a Classifier: its answers
// are listed by image id, in the manner of fstest.MapFS.
package classifiertest
