// Measures how late OBS's UI event loop runs: a precise 1 ms timer on the UI thread records the longest gap
// between two of its runs. A diagnostic for the performance command (README "Performance"), off unless
// SEEDANCE_UI_STALL_PROBE=1: waking the UI thread a thousand times a second is not free.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <cstdint>

namespace seedance::ui {

class UiStallProbe : public QObject {
public:
	// Starts measuring at once; create and destroy on the UI thread.
	explicit UiStallProbe(QObject *parent = nullptr);
	// True when SEEDANCE_UI_STALL_PROBE=1.
	static bool enabledByEnvironment();

	// Any thread: the longest gap since the last reset, in microseconds, and the window it covers.
	std::int64_t longestGapUs() const { return longestUs_.load(); }
	std::int64_t windowUs() const;
	// Any thread: starts a new window (the next run of the timer starts it).
	void reset() { resetRequested_.store(true); }

private:
	void tick();

	QTimer timer_;
	QElapsedTimer clock_;
	std::int64_t lastUs_ = 0;
	std::atomic<std::int64_t> windowStartUs_{0};
	std::atomic<std::int64_t> longestUs_{0};
	std::atomic<bool> resetRequested_{false};
};

} // namespace seedance::ui
