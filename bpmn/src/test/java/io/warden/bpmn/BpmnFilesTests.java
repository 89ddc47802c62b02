package io.warden.bpmn;

import static org.assertj.core.api.Assertions.assertThat;

import io.camunda.zeebe.model.bpmn.Bpmn;
import io.camunda.zeebe.model.bpmn.BpmnModelInstance;
import io.camunda.zeebe.model.bpmn.instance.BaseElement;
import io.camunda.zeebe.model.bpmn.instance.FlowNode;
import io.camunda.zeebe.model.bpmn.instance.Message;
import io.camunda.zeebe.model.bpmn.instance.Process;
import io.camunda.zeebe.model.bpmn.instance.SequenceFlow;
import io.camunda.zeebe.model.bpmn.instance.ServiceTask;
import io.camunda.zeebe.model.bpmn.instance.TimeDuration;
import io.camunda.zeebe.model.bpmn.instance.bpmndi.BpmnEdge;
import io.camunda.zeebe.model.bpmn.instance.bpmndi.BpmnShape;
import io.camunda.zeebe.model.bpmn.instance.zeebe.ZeebeSubscription;
import io.camunda.zeebe.model.bpmn.instance.zeebe.ZeebeTaskDefinition;
import io.camunda.zeebe.model.bpmn.traversal.ModelWalker;
import io.camunda.zeebe.model.bpmn.validation.ValidationVisitor;
import io.camunda.zeebe.model.bpmn.validation.zeebe.ZeebeDesignTimeValidators;
import java.io.InputStream;
import java.time.Duration;
import java.time.Period;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.camunda.bpm.model.xml.validation.ValidationResults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every process file is valid for Camunda 8 (Zeebe's design-time validators) and carries what the
 * embedded engine needs; the task types, topics and messages are the ones {@link BpmnProcesses} names.
 * Deployment to the embedded engine is tested in lifecycle-workflows.
 */
class BpmnFilesTests {

    static final String CAMUNDA = "http://camunda.org/schema/1.0/bpmn";
    static final List<String> PROCESSES = BpmnProcesses.ALL;

    static BpmnModelInstance read(String processId) {
        InputStream in = BpmnFilesTests.class.getClassLoader().getResourceAsStream(BpmnProcesses.resource(processId));
        assertThat(in).as("resource of %s", processId).isNotNull();
        return Bpmn.readModelFromStream(in);
    }

    @ParameterizedTest
    @FieldSource("PROCESSES")
    void passesZeebesDesignTimeValidation(String processId) {
        BpmnModelInstance model = read(processId);
        ValidationVisitor visitor = new ValidationVisitor(ZeebeDesignTimeValidators.VALIDATORS);
        new ModelWalker(model).walk(visitor);
        ValidationResults results = visitor.getValidationResult();
        StringBuilder problems = new StringBuilder();
        results.getResults()
                .forEach((element, list) -> list.forEach(result -> problems.append(result.getType())
                        .append(' ')
                        .append(element instanceof BaseElement base ? base.getId() : element)
                        .append(": ")
                        .append(result.getMessage())
                        .append('\n')));
        assertThat(results.hasErrors()).as(problems.toString()).isFalse();
    }

    @ParameterizedTest
    @FieldSource("PROCESSES")
    void isExecutableOnTheEmbeddedEngineToo(String processId) {
        BpmnModelInstance model = read(processId);
        Process process = model.getModelElementsByType(Process.class).iterator().next();
        assertThat(process.getId()).isEqualTo(processId);
        assertThat(process.isExecutable()).isTrue();
        assertThat(process.getAttributeValueNs(CAMUNDA, "historyTimeToLive"))
                .as("the embedded engine refuses processes without one")
                .isNotBlank();
        for (ServiceTask task : model.getModelElementsByType(ServiceTask.class)) {
            ZeebeTaskDefinition definition = task.getSingleExtensionElement(ZeebeTaskDefinition.class);
            assertThat(definition)
                    .as("%s has a Camunda 8 task definition", task.getId())
                    .isNotNull();
            assertThat(task.getAttributeValueNs(CAMUNDA, "type"))
                    .as("%s is an external task", task.getId())
                    .isEqualTo("external");
            assertThat(task.getAttributeValueNs(CAMUNDA, "topic"))
                    .as("%s: topic = job type", task.getId())
                    .isEqualTo(definition.getType());
            assertThat(BpmnProcesses.TaskTypes.ALL)
                    .as("%s's type is a known task type", task.getId())
                    .contains(definition.getType());
        }
    }

    @ParameterizedTest
    @FieldSource("PROCESSES")
    void messagesAreKnownAndCorrelatedByTheAgentId(String processId) {
        for (Message message : read(processId).getModelElementsByType(Message.class)) {
            assertThat(BpmnProcesses.Messages.ALL).contains(message.getName());
            ZeebeSubscription subscription = message.getSingleExtensionElement(ZeebeSubscription.class);
            assertThat(subscription)
                    .as("%s has a subscription", message.getName())
                    .isNotNull();
            assertThat(subscription.getCorrelationKey()).isEqualTo("=" + BpmnProcesses.CORRELATION_VARIABLE);
        }
    }

    @ParameterizedTest
    @FieldSource("PROCESSES")
    void timersAreIsoDurationsBothEnginesRead(String processId) {
        for (TimeDuration duration : read(processId).getModelElementsByType(TimeDuration.class)) {
            String text = duration.getTextContent().trim();
            assertThat(text)
                    .as("a literal, not an expression of one engine's language")
                    .doesNotStartWith("=")
                    .doesNotContain("${");
            if (text.startsWith("PT")) {
                assertThat(Duration.parse(text)).isPositive();
            } else {
                assertThat(Period.parse(text).isNegative() || Period.parse(text).isZero())
                        .isFalse();
            }
        }
    }

    @ParameterizedTest
    @FieldSource("PROCESSES")
    void flowNodesListTheirFlowsAndEveryElementIsDrawn(String processId) {
        BpmnModelInstance model = read(processId);
        for (FlowNode node : model.getModelElementsByType(FlowNode.class)) {
            Set<String> into = model.getModelElementsByType(SequenceFlow.class).stream()
                    .filter(flow -> flow.getTarget() == node)
                    .map(SequenceFlow::getId)
                    .collect(Collectors.toSet());
            Set<String> outOf = model.getModelElementsByType(SequenceFlow.class).stream()
                    .filter(flow -> flow.getSource() == node)
                    .map(SequenceFlow::getId)
                    .collect(Collectors.toSet());
            assertThat(node.getIncoming().stream().map(SequenceFlow::getId).collect(Collectors.toSet()))
                    .as("%s's <incoming>", node.getId())
                    .isEqualTo(into);
            assertThat(node.getOutgoing().stream().map(SequenceFlow::getId).collect(Collectors.toSet()))
                    .as("%s's <outgoing>", node.getId())
                    .isEqualTo(outOf);
        }
        Set<String> drawn = new HashSet<>();
        model.getModelElementsByType(BpmnShape.class)
                .forEach(shape -> drawn.add(shape.getBpmnElement().getId()));
        model.getModelElementsByType(BpmnEdge.class)
                .forEach(edge -> drawn.add(edge.getBpmnElement().getId()));
        model.getModelElementsByType(FlowNode.class)
                .forEach(node ->
                        assertThat(drawn).as("%s is drawn", node.getId()).contains(node.getId()));
        model.getModelElementsByType(SequenceFlow.class)
                .forEach(flow -> assertThat(drawn).contains(flow.getId()));
    }

    @Test
    void everyTaskTypeAndMessageIsUsedByAProcess() {
        Set<String> types = new HashSet<>();
        Set<String> messages = new HashSet<>();
        for (String processId : PROCESSES) {
            BpmnModelInstance model = read(processId);
            model.getModelElementsByType(ServiceTask.class)
                    .forEach(task -> types.add(task.getSingleExtensionElement(ZeebeTaskDefinition.class)
                            .getType()));
            model.getModelElementsByType(Message.class).forEach(message -> messages.add(message.getName()));
        }
        assertThat(types).containsExactlyInAnyOrderElementsOf(BpmnProcesses.TaskTypes.ALL);
        assertThat(messages).containsExactlyInAnyOrderElementsOf(BpmnProcesses.Messages.ALL);
    }
}
