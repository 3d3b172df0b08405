// Package prime finds the failure modes of an image classifier and names
// them in human words.
//
// It implements PRIME (Rezaei, Saberi, Moayeri, Feizi, "PRIME: Prioritizing
// Interpretability in Failure Mode Extraction", ICLR 2024): every image is
// tagged with human-understandable concepts, then each class is searched
// for small, minimal sets of tags whose images the classifier gets wrong far
// more often than the rest of the class.
package prime
