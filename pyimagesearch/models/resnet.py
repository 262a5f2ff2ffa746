"""The tutorial's pre-activation bottleneck ResNet (DL4CV), on Keras 3.

Fixed from 2020: ``reg`` reaches every convolution, not only the stem and head.
Width and depth are configuration: see ``architectures.ARCHITECTURES``.
"""
import keras
from keras import layers, regularizers



class ResNet:
    @staticmethod
    def residual_module(data, K, stride, chanDim, red=False, reg=0.0001, bnEps=2e-5, bnMom=0.9):
        def bn_relu(x):
            x = layers.BatchNormalization(axis=chanDim, epsilon=bnEps, momentum=bnMom)(x)
            return layers.Activation("relu")(x)

        def conv(x, filters, size, strides=(1, 1)):
            return layers.Conv2D(filters, size, strides=strides, padding="same", use_bias=False,
                                 kernel_regularizer=regularizers.l2(reg))(x)

        # bottleneck: 1x1 reduce to K/4, 3x3 (strided when reducing), 1x1 expand to K
        act1 = bn_relu(data)
        x = conv(act1, int(K * 0.25), (1, 1))
        x = conv(bn_relu(x), int(K * 0.25), (3, 3), stride)
        x = conv(bn_relu(x), K, (1, 1))
        # the shortcut is projected when the shape changes
        shortcut = conv(act1, K, (1, 1), stride) if red else data
        return layers.add([x, shortcut])

    @staticmethod
    def build(width, height, depth, classes, stages, filters, reg=0.0001, bnEps=2e-5, bnMom=0.9):
        chanDim = -1
        inputs = keras.Input(shape=(height, width, depth))
        x = layers.BatchNormalization(axis=chanDim, epsilon=bnEps, momentum=bnMom)(inputs)
        x = layers.Conv2D(filters[0], (3, 3), use_bias=False, padding="same",
                          kernel_regularizer=regularizers.l2(reg))(x)
        for i, blocks in enumerate(stages):
            stride = (1, 1) if i == 0 else (2, 2)
            x = ResNet.residual_module(x, filters[i + 1], stride, chanDim, red=True,
                                       reg=reg, bnEps=bnEps, bnMom=bnMom)
            for _ in range(blocks - 1):
                x = ResNet.residual_module(x, filters[i + 1], (1, 1), chanDim,
                                           reg=reg, bnEps=bnEps, bnMom=bnMom)
        x = layers.BatchNormalization(axis=chanDim, epsilon=bnEps, momentum=bnMom)(x)
        x = layers.Activation("relu")(x)
        x = layers.AveragePooling2D((8, 8))(x)
        x = layers.Flatten()(x)
        # float32 even under a mixed-precision policy: the softmax and the loss need its range
        x = layers.Dense(classes, kernel_regularizer=regularizers.l2(reg), dtype="float32")(x)
        outputs = layers.Activation("softmax", dtype="float32")(x)
        return keras.Model(inputs, outputs, name="resnet")
