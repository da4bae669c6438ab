// What the dock needs to know about OBS (scenes, sources, studio mode, canvas), behind an interface: the plugin
// answers from libobs and the frontend API on the UI thread; widget tests answer with fixed data.
#pragma once

#include <QObject>

#include <atomic>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace seedance::ui {

class ObsContext {
public:
	virtual ~ObsContext() = default;
	virtual std::vector<std::string> sceneNames() = 0;
	// Sources with video that are not scenes (cameras, captures, images, ...).
	virtual std::vector<std::string> videoSourceNames() = 0;
	// "Seedance Clip" slot sources placed in the layout.
	virtual std::vector<std::string> slotNames() = 0;
	virtual std::string currentSceneName() = 0;
	virtual bool studioMode() = 0;
	virtual std::string previewSceneName() = 0;
	virtual std::pair<int, int> canvasSize() = 0;

	// Called on the UI thread when sources are created, removed or renamed, or the scene/studio mode changes.
	std::function<void()> onChanged;
};

// The libobs/frontend implementation (UI thread only). Watches libobs' global source signals.
class LiveObsContext : public ObsContext {
public:
	LiveObsContext();
	~LiveObsContext() override;
	std::vector<std::string> sceneNames() override;
	std::vector<std::string> videoSourceNames() override;
	std::vector<std::string> slotNames() override;
	std::string currentSceneName() override;
	bool studioMode() override;
	std::string previewSceneName() override;
	std::pair<int, int> canvasSize() override;

	// Marshals a change notification to the UI thread (from libobs signal threads).
	void changed();

private:
	std::atomic<bool> notifyQueued_{false};
	// The queued notification's receiver: destroyed with this context (at EXIT), it takes a notification still in
	// Qt's queue with it instead of letting it run on a freed context.
	QObject receiver_;
};

} // namespace seedance::ui
