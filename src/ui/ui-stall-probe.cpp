#include "ui-stall-probe.hpp"

#include <QtGlobal>

#include <algorithm>

namespace seedance::ui {

UiStallProbe::UiStallProbe(QObject *parent) : QObject(parent)
{
	clock_.start();
	lastUs_ = clock_.nsecsElapsed() / 1000;
	windowStartUs_.store(lastUs_);
	timer_.setTimerType(Qt::PreciseTimer);
	timer_.setInterval(1);
	connect(&timer_, &QTimer::timeout, this, &UiStallProbe::tick);
	timer_.start();
}

bool UiStallProbe::enabledByEnvironment()
{
	return qEnvironmentVariableIntValue("SEEDANCE_UI_STALL_PROBE") == 1;
}

std::int64_t UiStallProbe::windowUs() const
{
	return clock_.nsecsElapsed() / 1000 - windowStartUs_.load();
}

void UiStallProbe::tick()
{
	std::int64_t now = clock_.nsecsElapsed() / 1000;
	if (resetRequested_.exchange(false)) {
		windowStartUs_.store(now);
		longestUs_.store(0);
	} else {
		longestUs_.store(std::max(longestUs_.load(), now - lastUs_));
	}
	lastUs_ = now;
}

} // namespace seedance::ui
