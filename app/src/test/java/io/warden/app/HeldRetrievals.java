package io.warden.app;

import io.warden.clinical.Neighbours;
import io.warden.clinical.Retrieval;
import io.warden.clinical.SearchQuery;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Lets a test hold a governed call in flight: a text search for {@link #HOLD} waits (up to 4 s, under the gateway's
 * 5 s deadline) until its thread is interrupted, as a kill switch or a cancellation does; every other call passes
 * to the real retrieval service untouched.
 */
@TestConfiguration(proxyBeanMethods = false)
class HeldRetrievals {

    static final String HOLD = "[hold this call]";
    /** Released once per call that is being held. */
    static final Semaphore HELD = new Semaphore(0);
    /** Held calls that ended by interruption. */
    static final AtomicInteger INTERRUPTED = new AtomicInteger();

    @Bean
    static BeanPostProcessor holdingRetrieval() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (!(bean instanceof Retrieval retrieval)) {
                    return bean;
                }
                InvocationHandler handler = (proxy, method, args) -> {
                    if (method.getName().equals("search")
                            && args[1] instanceof SearchQuery.Text text
                            && HOLD.equals(text.text())) {
                        HELD.release();
                        try {
                            TimeUnit.SECONDS.sleep(4);
                        } catch (InterruptedException e) {
                            INTERRUPTED.incrementAndGet();
                            Thread.currentThread().interrupt();
                        }
                        return new Neighbours((String) args[0], 0, List.of());
                    }
                    try {
                        return method.invoke(retrieval, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                };
                return Proxy.newProxyInstance(
                        Retrieval.class.getClassLoader(), new Class<?>[] {Retrieval.class}, handler);
            }
        };
    }
}
