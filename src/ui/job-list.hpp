// The dock's job list: one row per job, newest first, with the first-frame thumbnail, the prompt, the state in
// words, a progress bar, elapsed time and ETA, the error when failed, and the job's actions.
#pragma once

#include "core/job.hpp"

#include <QPointer>
#include <QWidget>

#include <map>
#include <string>

class QAction;
class QLabel;
class QProgressBar;
class QPushButton;
class QToolButton;
class QVBoxLayout;
class QTimer;

namespace seedance::ui {

enum class JobAction { Cancel, Retry, AddToScene, ShowInFolder, CopyPrompt, Remove };
constexpr int kActionCount = 6;
// Text keys of the actions, in JobAction order.
constexpr const char *kActionLabels[kActionCount] = {"Job.Cancel",       "Job.Retry",      "Job.AddToScene",
						     "Job.ShowInFolder", "Job.CopyPrompt", "Job.Remove"};

class JobRow : public QWidget {
	Q_OBJECT

public:
	explicit JobRow(QWidget *parent = nullptr);
	void show(const core::Job &job);
	void tick(); // elapsed / ETA
	const core::Job &job() const { return job_; }

	QProgressBar *progressBar() const { return progress_; }
	QLabel *stateLabel() const { return state_; }
	QLabel *detailLabel() const { return detail_; }
	QPushButton *primaryButton() const { return primary_; }
	QToolButton *menuButton() const { return more_; }

Q_SIGNALS:
	void actionRequested(const QString &jobId, seedance::ui::JobAction action);

protected:
	void resizeEvent(QResizeEvent *event) override;
	void changeEvent(QEvent *event) override;

private:
	void elidePrompt();
	JobAction primaryAction() const;

	core::Job job_;
	QLabel *thumb_;
	QLabel *prompt_;
	QLabel *state_;
	QProgressBar *progress_;
	QLabel *detail_;
	QPushButton *primary_;
	QToolButton *more_;
	QAction *actions_[kActionCount];
	std::string thumbPath_;
	std::string elidedPrompt_; // what the prompt label shows, elided to elidedWidth_
	int elidedWidth_ = -1;
};

class JobList : public QWidget {
	Q_OBJECT

public:
	explicit JobList(QWidget *parent = nullptr);

	// Records the newest state of a job; rows refresh at most every 100 ms, so a fast stream of progress
	// updates costs the UI thread one repaint per tick. Call on the UI thread.
	void upsert(const core::Job &job);
	void removeJob(const std::string &id);
	// Applies pending updates now (tests, and the first fill).
	void flush();

	static constexpr int kFlushIntervalMs = 100;
	static constexpr int kFlushBudgetMs = 4; // per turn of the event loop

	JobRow *row(const std::string &id) const;
	int rowCount() const { return static_cast<int>(rows_.size()); }

Q_SIGNALS:
	void actionRequested(const QString &jobId, seedance::ui::JobAction action);

private:
	void applyPending(int budgetMs); // budgetMs < 0: everything

	QVBoxLayout *layout_;
	QLabel *empty_;
	std::map<std::string, QPointer<JobRow>> rows_;
	std::map<std::string, core::Job> pending_;
	QTimer *flushTimer_;
	QTimer *tickTimer_;
};

// Localised text for a job state, and the sentence shown for a job (state, error or notice).
QString stateText(core::JobState state);
QString qtext(const char *key);

} // namespace seedance::ui

Q_DECLARE_METATYPE(seedance::ui::JobAction)
