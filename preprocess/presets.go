package preprocess

import (
	"fmt"
	"strings"
)

// ImageNet returns torchvision's evaluation transform of its ImageNet
// classifiers (ResNet, VGG, DenseNet, MobileNet, EfficientNet at 224): the
// shorter side resized to 256 (bilinear), the centre 224x224 cropped,
// [0, 1], ImageNet's mean and std. From torchvision's
// torchvision/models/resnet.py (ResNet50_Weights.IMAGENET1K_V1:
// transforms=partial(ImageClassification, crop_size=224)) and
// torchvision/transforms/_presets.py (ImageClassification: resize_size=256,
// mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
// interpolation=BILINEAR).
func ImageNet() Transform {
	return Transform{
		Width: 224, Height: 224, Resize: 256, Interpolation: Bilinear,
		Mean: ImageNetMean[:], Std: ImageNetStd[:],
	}
}

// RAM returns the transform of the Recognize Anything Model (RAM, RAM++,
// Tag2Text): the whole image resized to 384x384 (bilinear, aspect ratio not
// kept), [0, 1], ImageNet's mean and std. From ram/transform.py of
// github.com/xinyu1205/recognize-anything: get_transform(image_size=384)
// is Compose([convert("RGB"), Resize((image_size, image_size)),
// ToTensor(), Normalize(mean=[0.485, 0.456, 0.406],
// std=[0.229, 0.224, 0.225])]).
//
// RAM's head gives one logit per tag (the tagger's default Output, which
// applies the sigmoid), and RAM tags an image with the tags whose
// probability passes that tag's threshold, from its
// ram/data/ram_tag_list_threshold.txt (ONNXOptions.ThresholdsFile of
// package tagger).
func RAM() Transform {
	return Transform{
		Width: 384, Height: 384, Interpolation: Bilinear,
		Mean: ImageNetMean[:], Std: ImageNetStd[:],
	}
}

// CLIPMean and CLIPStd are the per-channel mean and standard deviation
// (R, G, B) CLIP's image encoder was trained with.
var (
	CLIPMean = [3]float32{0.48145466, 0.4578275, 0.40821073}
	CLIPStd  = [3]float32{0.26862954, 0.26130258, 0.27577711}
)

// CLIP returns the transform of CLIP's image encoders at 224 (RN50,
// ViT-B/32, ViT-B/16, ViT-L/14): the shorter side resized to 224 (bicubic),
// the centre 224x224 cropped, [0, 1], CLIP's mean and std. From
// clip/clip.py of github.com/openai/CLIP: _transform(n_px) is
// Compose([Resize(n_px, interpolation=BICUBIC), CenterCrop(n_px),
// convert("RGB"), ToTensor(), Normalize((0.48145466, 0.4578275,
// 0.40821073), (0.26862954, 0.26130258, 0.27577711))]).
func CLIP() Transform {
	return Transform{
		Width: 224, Height: 224, Resize: 224, Interpolation: Bicubic,
		Mean: CLIPMean[:], Std: CLIPStd[:],
	}
}

// Raw returns the transform of models trained on raw pixel values, such
// as the ONNX model zoo's MNIST model (github.com/onnx/models,
// vision/classification/mnist): resized to the input size if needed,
// values 0..255, no mean or std. That model's README says "Color value is
// scaled to [0.0, 1.0]", but the test data it ships (test_data_set_*/
// input_0.pb) holds whole pixel values 0..255, which give its reference
// outputs (classifier's TestMNISTReferenceData) and 98.9% accuracy on the
// MNIST test set; scaled to [0, 1], 41 of the 10,000 predictions change.
func Raw() Transform {
	return Transform{NoScale: true, Mean: []float32{0}, Std: []float32{1}}
}

// presets maps the names Preset knows to their transforms.
var presets = []struct {
	name string
	t    func() Transform
}{
	{"imagenet", ImageNet},
	{"ram", RAM},
	{"clip", CLIP},
	{"raw", Raw},
}

// PresetNames returns the names Preset accepts, in a fixed order.
func PresetNames() []string {
	names := make([]string, len(presets))
	for i, p := range presets {
		names[i] = p.name
	}
	return names
}

// Preset returns the transform called name: "imagenet" (ImageNet),
// "ram" (RAM), "clip" (CLIP) or "raw" (Raw).
func Preset(name string) (Transform, error) {
	for _, p := range presets {
		if p.name == name {
			return p.t(), nil
		}
	}
	return Transform{}, fmt.Errorf("preprocess: unknown preset %q: want %s", name, strings.Join(PresetNames(), ", "))
}
