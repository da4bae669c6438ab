// The "Seedance" dock: prompt, options and the job list.
#pragma once

#include <QWidget>

namespace seedance::ui {

class GenerateDock : public QWidget {
	Q_OBJECT

public:
	explicit GenerateDock(QWidget *parent = nullptr);
};

} // namespace seedance::ui
