// Which failures are retried, and why a create is not resubmitted blindly.
#include "test-framework.hpp"

#include "core/retry.hpp"

using namespace seedance::core;

namespace {
HttpResponse status(long code)
{
	HttpResponse r;
	r.status = code;
	r.requestSent = true;
	return r;
}
HttpResponse transport(TransportError e, bool sent)
{
	HttpResponse r;
	r.error = e;
	r.requestSent = sent;
	return r;
}
} // namespace

TEST_CASE("retry on network errors and 429/500/502/503/504, never on 400/401/402/404/422", "[retry]")
{
	for (long code : {429, 500, 502, 503, 504})
		CHECK(isRetryable(status(code)));
	for (long code : {400, 401, 402, 403, 404, 422})
		CHECK_FALSE(isRetryable(status(code)));
	CHECK(isRetryable(transport(TransportError::Connect, false)));
	CHECK(isRetryable(transport(TransportError::Timeout, true)));
	CHECK_FALSE(isRetryable(transport(TransportError::Tls, false)));
	CHECK_FALSE(isRetryable(transport(TransportError::Policy, false)));
}

TEST_CASE("a create is retried only when no task can have been created", "[retry][create]")
{
	CHECK(isCreateRetryable(transport(TransportError::Connect, false)));
	CHECK(isCreateRetryable(transport(TransportError::Resolve, false)));
	CHECK(isCreateRetryable(status(429)));
	CHECK(isCreateRetryable(status(503)));
	CHECK_FALSE(isCreateRetryable(transport(TransportError::Timeout, true)));
	CHECK_FALSE(isCreateRetryable(transport(TransportError::Network, true)));
	CHECK_FALSE(isCreateRetryable(status(500)));
	CHECK_FALSE(isCreateRetryable(status(502)));

	CHECK(isCreateOutcomeUnknown(transport(TransportError::Timeout, true)));
	CHECK(isCreateOutcomeUnknown(transport(TransportError::Network, true)));
	CHECK(isCreateOutcomeUnknown(status(502)));
	CHECK_FALSE(isCreateOutcomeUnknown(transport(TransportError::Connect, false)));
	CHECK_FALSE(isCreateOutcomeUnknown(status(400)));
}

TEST_CASE("back-off is full jitter under a doubling ceiling, never shorter than Retry-After", "[retry]")
{
	RetryPolicy p;
	CHECK(retryDelay(p, 1, std::nullopt, 1.0) == Approx(1.0));
	CHECK(retryDelay(p, 2, std::nullopt, 1.0) == Approx(2.0));
	CHECK(retryDelay(p, 3, std::nullopt, 0.5) == Approx(2.0));
	CHECK(retryDelay(p, 10, std::nullopt, 1.0) == Approx(p.maxDelay));
	CHECK(retryDelay(p, 1, 5.0, 0.1) == Approx(5.0));
	CHECK(retryDelay(p, 1, std::nullopt, 0.0) == Approx(0.0));
}
