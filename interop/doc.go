// Package interop proves that the official client SDKs (openai-go and
// anthropic-sdk-go) parse every error flexguard answers, by pointing them
// at a real flexgate on loopback. It is a module of its own so that
// flexguard's users never download the SDKs; the tests are the whole
// package.
package interop
