// The "Seedance" dock: where a streamer types a prompt, picks the frame and options (limited to what the model
// allows), presses Generate (or Ctrl+Enter, or the hotkey), and watches the jobs. Never blocks: every action goes
// to the JobRunner, which answers at once; updates come back queued to the UI thread.
#pragma once

#include "job-list.hpp"
#include "obs-context.hpp"

#include "core/job-runner.hpp"
#include "core/job/job-spec.hpp"
#include "core/settings.hpp"

#include <QPointer>
#include <QWidget>

#include <functional>
#include <memory>

namespace Ui {
class GenerateDock;
}

namespace seedance::ui {

// What the dock works with; the plugin passes the real ones, widget tests their own.
struct DockServices {
	core::JobRunner *runner = nullptr;
	ObsContext *obs = nullptr;
	std::function<core::Settings()> settings;                 // the settings in effect
	std::function<void(const core::Settings &)> saveSettings; // persists (and applies) changed settings
	std::function<void()> openSettings;                       // the settings dialog
	std::function<void(const std::string &path)> showInFolder;
};

class GenerateDock : public QWidget {
	Q_OBJECT

public:
	explicit GenerateDock(DockServices services, QWidget *parent = nullptr);
	~GenerateDock() override;

	// Starts a generation from the current prompt and options (the Generate button, Ctrl+Enter, the hotkey).
	// Returns the job id, or an empty string when it could not start (the reason is shown in the dock).
	QString generate();
	// What the current controls choose, and the JobSpec they make (what generate() would submit), built by the
	// same builder as the websocket vendor's and the Clip source's.
	core::SpecChoices currentChoices() const;
	core::Result<core::JobSpec> currentSpec() const;
	// Why Generate is disabled (empty when enabled).
	QString blockedReason() const;

	// Re-reads the sources and scenes (the plugin calls it when OBS says they changed).
	void refreshSources();
	// Settings changed elsewhere (key, defaults).
	void reloadSettings();
	// Stops listening to the runner (OBS is exiting).
	void detach();

	JobList *jobList() const { return jobs_; }
	Ui::GenerateDock *form() const { return ui_.get(); }

protected:
	bool eventFilter(QObject *watched, QEvent *event) override;
	void resizeEvent(QResizeEvent *event) override;

private:
	void retranslate();
	void applyModel();
	void applyDefaults(const core::Settings &s);
	void updateGenerateState();
	void updateSummary();
	void updateCharCount();
	void updateRecentMenu();
	void onJobAction(const QString &id, JobAction action);
	void showStatus(const QString &text, bool error);
	std::string resolveFirstFrame() const;

	struct Relay;
	std::shared_ptr<Relay> relay_;
	DockServices services_;
	std::unique_ptr<Ui::GenerateDock> ui_;
	JobList *jobs_ = nullptr;
	int listener_ = 0;
	QString lastFile_; // a last frame chosen from disk
	bool refreshing_ = false;
};

} // namespace seedance::ui
