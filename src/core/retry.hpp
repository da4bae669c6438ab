// Retry rules for HTTP calls: which failures are worth another attempt, and how long to wait first.
#pragma once

#include "http-client.hpp"

#include <optional>

namespace seedance::core {

struct RetryPolicy {
	int maxAttempts = 4;       // first try included
	double baseDelay = 1.0;    // seconds; the ceiling doubles per failure ("full jitter" picks 0..ceiling)
	double maxDelay = 20.0;    // ceiling of the exponential part
	double maxRetryAfter = 60; // a longer Retry-After ends the retries (the user is told when to try again)
};

// Network errors (except TLS and policy refusals), 429, 500, 502, 503, 504. Never 400/401/402/404/422.
bool isRetryable(const HttpResponse &response);

// A create request is retried only when the server cannot have created a task: nothing was sent (DNS, connect,
// TLS), or it explicitly refused before accepting (429 from the limiter, 503 rate_limit_unavailable).
// Anything else (timeout after the body went out, connection reset, 500/502/504 from a gateway) may have
// created a billed task that we cannot see: resubmitting could bill the streamer twice, so the job reports
// "outcome unknown" instead and lets the streamer decide (ToAPIs offers no idempotency key for 1.5 Pro).
bool isCreateRetryable(const HttpResponse &response);
bool isCreateOutcomeUnknown(const HttpResponse &response);

// Seconds to wait before attempt `failures + 1`: max(Retry-After, full-jitter exponential back-off).
double retryDelay(const RetryPolicy &policy, int failures, std::optional<double> retryAfter, double random01);

} // namespace seedance::core
