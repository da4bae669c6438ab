// Retry classification and back-off.
#include "retry.hpp"

#include <algorithm>
#include <cmath>

namespace seedance::core {

bool isRetryable(const HttpResponse &r)
{
	switch (r.error) {
	case TransportError::None:
		return r.status == 429 || r.status == 500 || r.status == 502 || r.status == 503 || r.status == 504;
	case TransportError::Resolve:
	case TransportError::Connect:
	case TransportError::Timeout:
	case TransportError::Network:
		return true;
	case TransportError::Tls:
	case TransportError::TooLarge:
	case TransportError::Cancelled:
	case TransportError::Policy:
	case TransportError::Redirects:
	case TransportError::Write:
		return false;
	}
	return false;
}

bool isCreateRetryable(const HttpResponse &r)
{
	if (!r.transportOk())
		return isRetryable(r) && !r.requestSent;
	return r.status == 429 || r.status == 503;
}

bool isCreateOutcomeUnknown(const HttpResponse &r)
{
	if (!r.transportOk() && r.status >= 200 && r.status < 300)
		return true; // the server accepted (the task exists), then the answer broke off or was too large
	if (!r.transportOk())
		return r.requestSent && r.error != TransportError::TooLarge && r.error != TransportError::Policy &&
		       r.error != TransportError::Redirects;
	return r.status == 500 || r.status == 502 || r.status == 504;
}

double retryDelay(const RetryPolicy &policy, int failures, std::optional<double> retryAfter, double random01)
{
	double ceiling = std::min(policy.maxDelay, policy.baseDelay * std::pow(2.0, std::max(0, failures - 1)));
	double backoff = ceiling * std::clamp(random01, 0.0, 1.0);
	return std::max(backoff, retryAfter.value_or(0.0));
}

} // namespace seedance::core
