// Catch2 main for the widget tests: one QApplication on the offscreen platform (no display needed).
#define CATCH_CONFIG_RUNNER
#include "test-framework.hpp"

#include <QApplication>

int main(int argc, char **argv)
{
	if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
		qputenv("QT_QPA_PLATFORM", "offscreen");
	QApplication app(argc, argv);
	return Catch::Session().run(argc, argv);
}
